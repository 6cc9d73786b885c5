import type { Message } from '@libp2p/gossipsub'
import { afterEach, describe, expect, it } from 'vitest'
import { dialWithTimeout, type MeshLibp2p } from '../../src/net/index.js'
import { until } from '../helpers/until.js'
import { addrOf, Cleanup, memoryNode } from './helpers.js'

const TOPIC = '/patternmesh/memory/data/1'
const encoder = new TextEncoder()
const decoder = new TextDecoder()

function inbox(node: MeshLibp2p): string[] {
  const received: string[] = []
  node.services.pubsub.addEventListener('message', (evt: CustomEvent<Message>) => {
    if (evt.detail.topic === TOPIC) received.push(decoder.decode(evt.detail.data))
  })
  return received
}

describe('memory transport', () => {
  const cleanup = new Cleanup()
  afterEach(() => cleanup.run())

  it('three nodes in one process form a gossipsub mesh and deliver through it', async () => {
    const [a, b, c] = await Promise.all(
      [0, 1, 2].map(() => memoryNode(cleanup, { topics: [TOPIC] })),
    )
    if (a == null || b == null || c == null) throw new Error('nodes not created')
    expect(addrOf(a).toString()).toMatch(/^\/memory\//)
    for (const node of [a, b, c]) node.services.pubsub.subscribe(TOPIC)
    const inboxes = [a, b, c].map(inbox)

    // A line A–B–C: anything between A and C has to be forwarded by B.
    await dialWithTimeout(a, addrOf(b))
    await dialWithTimeout(c, addrOf(b))
    expect(a.getConnections(c.peerId)).toHaveLength(0)
    await until(
      () =>
        b.services.pubsub.getMeshPeers(TOPIC).length === 2 &&
        a.services.pubsub.getMeshPeers(TOPIC).includes(b.peerId.toString()) &&
        c.services.pubsub.getMeshPeers(TOPIC).includes(b.peerId.toString()),
      { message: 'the topic mesh A–B–C to form (one heartbeat)' },
    )

    await a.services.pubsub.publish(TOPIC, encoder.encode('from a'))
    await c.services.pubsub.publish(TOPIC, encoder.encode('from c'))

    // emitSelf is off: a node does not receive its own messages.
    const [atA, atB, atC] = inboxes
    await until(() => atA?.length === 1 && atB?.length === 2 && atC?.length === 1, {
      message: 'every delivery',
    })
    expect(atA).toEqual(['from c'])
    expect([...(atB ?? [])].sort()).toEqual(['from a', 'from c'])
    expect(atC).toEqual(['from a'])
  })
})
