import { afterEach, describe, expect, it } from 'vitest'
import { NotStartedError, PayloadTooLargeError } from '../../src/errors.js'
import { ObserverModeError } from '../../src/observer/index.js'
import type { MeshMessage } from '../../src/node/index.js'
import type { MeshPeer as MeshNode } from '../../src/peer/mesh-peer.js'
import { MeshFixture, connect, subscribersOf } from '../helpers/mesh.js'
import { until } from '../helpers/until.js'

const fixture = new MeshFixture()
afterEach(async () => await fixture.stopAll())

function collect(node: MeshNode): MeshMessage[] {
  const received: MeshMessage[] = []
  node.onMessage((message) => received.push(message))
  return received
}

async function meshOf(count: number, transport: 'tcp' | 'memory' = 'tcp'): Promise<MeshNode[]> {
  const nodes: MeshNode[] = []
  for (let i = 0; i < count; i++) nodes.push(await fixture.node({}, { transport }))
  for (let i = 1; i < count; i++) await connect(nodes[i]!, nodes[0]!)
  for (const node of nodes) {
    await until(
      () => subscribersOf(node, node.topics.data).length >= (node === nodes[0] ? count - 1 : 1),
      {
        message: 'gossipsub subscriptions',
      },
    )
  }
  return nodes
}

describe('MeshNode', () => {
  it('delivers each broadcast to every other node once, with its step, seq and id', async () => {
    const nodes = await meshOf(3)
    const inboxes = nodes.map(collect)
    const receipts = await Promise.all(
      nodes.map(async (node, i) => await node.broadcast(`hello from ${i}`)),
    )
    await until(() => inboxes.every((inbox) => inbox.length === 2), {
      message: 'two messages at each node',
    })
    for (const [i, inbox] of inboxes.entries()) {
      const texts = inbox.map((m) => Buffer.from(m.envelope.data).toString()).sort()
      expect(texts).toEqual([0, 1, 2].filter((j) => j !== i).map((j) => `hello from ${j}`))
      for (const message of inbox) {
        const sender = nodes.findIndex((n) => n.peerId === message.envelope.senderId)
        expect(message.id).toBe(receipts[sender]!.id)
        expect(message.envelope.seq).toBe(receipts[sender]!.seq)
        expect(message.envelope.globalStep).toBe(receipts[sender]!.step)
      }
    }
  })

  it('batches many broadcasts and still delivers every one in order', async () => {
    const [a, b] = await meshOf(2, 'memory')
    const inbox = collect(b!)
    const count = 2000
    await Promise.all(Array.from({ length: count }, async (_, i) => await a!.broadcast(String(i))))
    await until(() => inbox.length === count, { timeout: 20_000, message: `${count} messages` })
    expect(inbox.map((m) => Number(Buffer.from(m.envelope.data).toString()))).toEqual(
      Array.from({ length: count }, (_, i) => i),
    )
    const outbound = a!.stats().outbound
    expect(outbound.framesPublished).toBe(count)
    expect(outbound.batchesPublished).toBeLessThan(count / 4)
  })

  it('rejects every message of a node with another network key: none delivered or forwarded, its score drops', async () => {
    const honest = await meshOf(2)
    const forger = await fixture.node({ seed: 'another-mesh-key' })
    await connect(forger, honest[0]!)
    await until(() => subscribersOf(forger, forger.topics.data).length >= 1, {
      message: 'forger subscribed',
    })
    const inboxes = honest.map(collect)
    for (let i = 0; i < 20; i++) await forger.broadcast(`forged ${i}`)
    await until(() => (honest[0]!.stats().verdicts.PATTERN_MISMATCH ?? 0) >= 20, {
      message: 'forgeries rejected',
    })
    await honest[1]!.broadcast('honest')
    await until(() => inboxes[0]!.length === 1, { message: 'honest message' })
    expect(inboxes[0]!.map((m) => Buffer.from(m.envelope.data).toString())).toEqual(['honest'])
    expect(inboxes[1]).toEqual([])
    // The forged messages were not forwarded: the third node never saw one.
    expect(honest[1]!.stats().verdicts.PATTERN_MISMATCH ?? 0).toBe(0)
    await until(() => honest[0]!.libp2p.services.pubsub.getScore(forger.peerId) < 0, {
      message: 'forger score below 0',
    })
  })

  it('refuses to broadcast before start and payloads larger than a frame', async () => {
    const node = await fixture.node()
    await expect(node.broadcast(Buffer.alloc(70_000))).rejects.toBeInstanceOf(PayloadTooLargeError)
    await node.stop()
    await expect(node.broadcast('late')).rejects.toBeInstanceOf(NotStartedError)
    await node.stop()
  })

  it('refuses to publish data on an observer, which still sends its control frames', async () => {
    const observer = await fixture.node({ observer: true })
    await expect(observer.broadcast('not from an observer')).rejects.toBeInstanceOf(
      ObserverModeError,
    )
    await expect(observer.sendControl('step-sync', new Uint8Array(0))).resolves.toMatchObject({
      seq: expect.any(Number),
    })
  })
})
