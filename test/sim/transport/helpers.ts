/** Nodes on the conditioned memory transport, built by createMeshLibp2p and stopped by a Cleanup. */
import type { PeerId } from '@libp2p/interface'
import { createMeshLibp2p, type MeshLibp2p, type MeshLibp2pInit } from '../../../src/net/index.js'
import type { ConditionedMemoryFactory } from '../../../src/sim/transport/index.js'
import { until } from '../../helpers/until.js'
import { addrOf, type Cleanup } from '../../net/helpers.js'

export const TOPIC = 'sim-transport-test'

/** A mesh node listening on `/memory/<name>` of `factory`'s network, subscribed to TOPIC. */
export async function simNode(
  cleanup: Cleanup,
  factory: ConditionedMemoryFactory,
  name: string,
  init: Partial<MeshLibp2pInit> = {},
): Promise<MeshLibp2p> {
  const node = await createMeshLibp2p({
    listen: [`/memory/${name}`],
    transport: 'memory',
    transportFactory: factory,
    mdns: false,
    bootstrap: [],
    ...init,
  })
  cleanup.defer(() => node.stop())
  node.services.pubsub.subscribe(TOPIC)
  return node
}

function knowsSubscriber(node: MeshLibp2p, peer: PeerId): boolean {
  return node.services.pubsub.getSubscribers(TOPIC).some((id) => id.equals(peer))
}

/** Dials `b` from `a` and waits until each knows the other subscribes to TOPIC. */
export async function connectPair(a: MeshLibp2p, b: MeshLibp2p, timeout = 15_000): Promise<void> {
  await a.dial(addrOf(b), { signal: AbortSignal.timeout(timeout) })
  await until(() => knowsSubscriber(a, b.peerId) && knowsSubscriber(b, a.peerId), {
    timeout,
    message: 'both nodes to see the other subscribed',
  })
}

export interface Received {
  index: number
  at: number
}

/** Records TOPIC messages `node` receives whose payload is a decimal index. */
export function recordMessages(node: MeshLibp2p): Received[] {
  const received: Received[] = []
  node.services.pubsub.addEventListener('message', (event) => {
    if (event.detail.topic !== TOPIC) return
    received.push({
      index: Number(new TextDecoder().decode(event.detail.data)),
      at: performance.now(),
    })
  })
  return received
}

export function payload(index: number): Uint8Array {
  return new TextEncoder().encode(String(index))
}

export function range(count: number): number[] {
  return Array.from({ length: count }, (_, index) => index)
}
