/**
 * The peer manager on real libp2p nodes (127.0.0.1 TCP): a bootstrap node is a way in, never a
 * centre (DESIGN §12–§13).
 */
import { peerIdFromString } from '@libp2p/peer-id'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import type { MeshConfig } from '../../src/config/index.js'
import type {
  MeshPeer as MeshNode,
  MeshPeerInit as MeshNodeInit,
} from '../../src/peer/mesh-peer.js'
import { MEMBER_TAG } from '../../src/peers/index.js'
import { openDataDir, type DataDir } from '../../src/store/index.js'
import { MeshFixture, subscribersOf } from '../helpers/mesh.js'
import { until } from '../helpers/until.js'

const fixture = new MeshFixture()
const cleanups: Array<() => Promise<void>> = []
afterEach(async () => {
  await fixture.stopAll()
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

/** A node with membership, roles and the peer manager (the fixture's default is without). */
async function member(
  overrides: Partial<MeshConfig> = {},
  init: Partial<MeshNodeInit> = {},
): Promise<MeshNode> {
  return await fixture.node(overrides, { services: {}, ...init })
}

const addrOf = (node: MeshNode): string => node.getMultiaddrs()[0]!
const peersOf = (node: MeshNode): Set<string> => new Set(node.connectedPeers())

/** Resolves with the messages `node` receives whose text is `text`. */
function received(node: MeshNode, text: string): { count: () => number } {
  let count = 0
  node.onMessage((message) => {
    if (Buffer.from(message.envelope.data).toString('utf8') === text) count++
  })
  return { count: () => count }
}

async function reaches(from: MeshNode, to: MeshNode[], text: string): Promise<void> {
  await until(
    () => to.every((node) => subscribersOf(from, from.topics.data).includes(node.peerId)),
    {
      message: 'gossipsub subscriptions between the survivors',
      timeout: 10_000,
    },
  )
  const inboxes = to.map((node) => received(node, text))
  await from.broadcast(text)
  await until(() => inboxes.every((inbox) => inbox.count() === 1), {
    message: `"${text}" delivered everywhere`,
  })
}

describe('peer manager on a real mesh', () => {
  it('four nodes bootstrapped to n1 connect to each other and stay one mesh when n1 stops', async () => {
    const n1 = await member()
    const others: MeshNode[] = []
    for (let i = 0; i < 3; i++) others.push(await member({ bootstrap: [addrOf(n1)] }))
    const [n2, n3, n4] = others as [MeshNode, MeshNode, MeshNode]
    const all = [n1, ...others]

    await until(() => all.every((node) => peersOf(node).size >= 2), {
      message: 'every node with at least 2 connections',
      timeout: 15_000,
    })
    // Not only the star: the three that only knew n1 found each other through the records.
    await until(
      () => others.every((a) => others.every((b) => a === b || peersOf(a).has(b.peerId))),
      {
        message: 'n2, n3 and n4 connected to each other',
        timeout: 15_000,
      },
    )
    for (const node of others) {
      expect(node.peers!.records.stats().accepted).toBeGreaterThanOrEqual(2)
      expect(node.peers!.manager.stats()).toMatchObject({ targetPeers: 6, maxPeers: 24 })
      expect(node.peers!.manager.stats().dials).toBeGreaterThanOrEqual(1)
    }

    await n1.stop()
    await until(() => others.every((node) => !peersOf(node).has(n1.peerId)), {
      message: 'n1 gone',
    })
    for (const node of others) expect(peersOf(node).size).toBe(2)
    await reaches(n2, [n3, n4], 'after n1')
  })

  it('a node restarted while every bootstrap peer is down rejoins from its peer store', async () => {
    const n1 = await member()
    const n2 = await member({ bootstrap: [addrOf(n1)] })
    const n3 = await member({ bootstrap: [addrOf(n1)] })

    const dir = await mkdtemp(join(tmpdir(), 'pm-peers-'))
    cleanups.push(async () => await rm(dir, { recursive: true, force: true }))
    let dataDir: DataDir = await openDataDir(dir)
    cleanups.push(async () => await dataDir.close())
    const withDataDir = (data: DataDir): Partial<MeshNodeInit> => ({
      privateKey: data.identity.privateKey,
      libp2p: { datastore: data.datastore },
    })
    const n4 = await member({ bootstrap: [addrOf(n1)] }, withDataDir(dataDir))
    const id4 = n4.peerId

    // n4 learned n2's and n3's addresses from their heartbeats, into the datastore.
    await until(
      async () => {
        for (const other of [n2, n3]) {
          const peer = await n4.libp2p.peerStore.get(peerIdFromString(other.peerId))
          if (peer.peerRecordEnvelope === undefined || !peer.tags.has(MEMBER_TAG)) return false
        }
        return true
      },
      { message: "n2's and n3's records in n4's peer store", timeout: 15_000 },
    )

    await n4.stop()
    await dataDir.close()
    await n1.stop()
    // n2 and n3 must not still be connected to n4: a fresh start has nothing in memory.
    await until(() => [n2, n3].every((node) => !peersOf(node).has(id4)), { message: 'n4 gone' })

    dataDir = await openDataDir(dir)
    const again = await member({ bootstrap: [addrOf(n1)] }, withDataDir(dataDir))
    expect(again.peerId).toBe(id4)
    await until(() => peersOf(again).has(n2.peerId) && peersOf(again).has(n3.peerId), {
      message: 'the restarted n4 connected to n2 and n3 without its bootstrap peer',
      timeout: 15_000,
    })
    expect(again.peers!.manager.stats().remembered).toBeGreaterThanOrEqual(2)
    await reaches(n2, [n3, again], 'welcome back')
  })
})
