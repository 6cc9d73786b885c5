/** Shared set-up of the net tests: a cleanup stack and node factories that register on it. */
import { randomUUID } from 'node:crypto'
import { generateKeyPair } from '@libp2p/crypto/keys'
import type { PrivateKey } from '@libp2p/interface'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import type { Multiaddr } from '@multiformats/multiaddr'
import { createMeshLibp2p, type MeshLibp2p, type MeshLibp2pInit } from '../../src/net/index.js'

/** Undo actions run last-in first-out; every one runs even if another throws. */
export class Cleanup {
  private readonly stack: Array<() => Promise<void> | void> = []

  defer(action: () => Promise<void> | void): void {
    this.stack.push(action)
  }

  async run(): Promise<void> {
    const errors: unknown[] = []
    while (this.stack.length > 0) {
      const action = this.stack.pop()
      try {
        await action?.()
      } catch (err) {
        errors.push(err)
      }
    }
    if (errors.length > 0) throw new AggregateError(errors, 'cleanup failed')
  }
}

/** A TCP node on 127.0.0.1 (random port), mDNS off, stopped by `cleanup`. */
export async function tcpNode(
  cleanup: Cleanup,
  init: Partial<MeshLibp2pInit> = {},
): Promise<MeshLibp2p> {
  const node = await createMeshLibp2p({
    listen: ['/ip4/127.0.0.1/tcp/0'],
    transport: 'tcp',
    mdns: false,
    bootstrap: [],
    ...init,
  })
  cleanup.defer(() => node.stop())
  return node
}

/** A unique `/memory/<name>` address. */
export function memoryAddr(label = 'node'): string {
  return `/memory/${label}-${randomUUID()}`
}

/** A memory-transport node, stopped by `cleanup`. */
export async function memoryNode(
  cleanup: Cleanup,
  init: Partial<MeshLibp2pInit> = {},
): Promise<MeshLibp2p> {
  const node = await createMeshLibp2p({
    listen: [memoryAddr()],
    transport: 'memory',
    mdns: false,
    bootstrap: [],
    ...init,
  })
  cleanup.defer(() => node.stop())
  return node
}

/** An identity whose peer id is known before the node exists. */
export async function identity(): Promise<{ privateKey: PrivateKey; peerId: string }> {
  const privateKey = await generateKeyPair('Ed25519')
  return { privateKey, peerId: peerIdFromPrivateKey(privateKey).toString() }
}

/** The node's first listen address (with `/p2p/<id>`). */
export function addrOf(node: MeshLibp2p): Multiaddr {
  const addr = node.getMultiaddrs()[0]
  if (addr == null) throw new Error(`node ${node.peerId.toString()} has no listen address`)
  return addr
}

export function isConnected(a: MeshLibp2p, b: MeshLibp2p): boolean {
  return a.getConnections(b.peerId).length > 0
}
