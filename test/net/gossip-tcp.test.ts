import { TopicValidatorResult, type Message } from '@libp2p/gossipsub'
import { afterEach, describe, expect, it } from 'vitest'
import { dialWithTimeout, type MeshLibp2p } from '../../src/net/index.js'
import { until } from '../helpers/until.js'
import { addrOf, Cleanup, isConnected, tcpNode } from './helpers.js'

const TOPIC = '/patternmesh/test/data/1'
const encoder = new TextEncoder()
const decoder = new TextDecoder()

/** Collects the text of every message `node` delivers on TOPIC. */
function inbox(node: MeshLibp2p): string[] {
  const received: string[] = []
  node.services.pubsub.addEventListener('message', (evt: CustomEvent<Message>) => {
    if (evt.detail.topic === TOPIC) received.push(decoder.decode(evt.detail.data))
  })
  return received
}

async function subscribedPair(cleanup: Cleanup): Promise<[MeshLibp2p, MeshLibp2p]> {
  const a = await tcpNode(cleanup, { topics: [TOPIC] })
  const b = await tcpNode(cleanup, { topics: [TOPIC] })
  a.services.pubsub.subscribe(TOPIC)
  b.services.pubsub.subscribe(TOPIC)
  await dialWithTimeout(a, addrOf(b))
  // gossipsub learns of B's subscription after identify and B's subscription RPC.
  await until(() => a.services.pubsub.getSubscribers(TOPIC).some((p) => p.equals(b.peerId)), {
    message: "A to see B's subscription",
  })
  return [a, b]
}

describe('two TCP nodes with gossipsub', () => {
  const cleanup = new Cleanup()
  afterEach(() => cleanup.run())

  it('connects by multiaddr and delivers a publish from A to B', async () => {
    const [a, b] = await subscribedPair(cleanup)
    expect(isConnected(a, b)).toBe(true)
    const received = inbox(b)

    await a.services.pubsub.publish(TOPIC, encoder.encode('hello mesh'))

    await until(() => received.includes('hello mesh'), { message: 'B to receive the message' })
    expect(received).toEqual(['hello mesh'])
  })

  it('does not deliver messages the topic validator rejects, and lowers the sender score', async () => {
    const [a, b] = await subscribedPair(cleanup)
    const received = inbox(b)
    b.services.pubsub.topicValidators.set(TOPIC, (_peer, msg) =>
      decoder.decode(msg.data).startsWith('bad')
        ? TopicValidatorResult.Reject
        : TopicValidatorResult.Accept,
    )

    await a.services.pubsub.publish(TOPIC, encoder.encode('good'))
    await until(() => received.includes('good'), { message: 'the accepted message' })
    expect(b.services.pubsub.getScore(a.peerId.toString())).toBeGreaterThanOrEqual(0)

    for (let i = 0; i < 3; i++) {
      await a.services.pubsub.publish(TOPIC, encoder.encode(`bad ${i}`))
    }

    // The score only drops once B has validated (and rejected) the messages.
    await until(() => b.services.pubsub.getScore(a.peerId.toString()) < 0, {
      message: "A's score at B to drop below 0",
    })
    expect(received).toEqual(['good'])
  })
})
