/**
 * libp2p, noise, yamux, identify, ping and gossipsub over the conditioned memory transport
 * (nodes from createMeshLibp2p with `transportFactory`).
 */
import { performance } from 'node:perf_hooks'
import { memory } from '@libp2p/memory'
import { afterEach, describe, expect, it } from 'vitest'
import { createMeshLibp2p } from '../../../src/net/index.js'
import {
  conditionedMemory,
  MIN_RETRANSMIT_MS,
  type ConditionedMemoryFactory,
} from '../../../src/sim/transport/index.js'
import { until } from '../../helpers/until.js'
import { addrOf, Cleanup } from '../../net/helpers.js'
import { connectPair, payload, range, recordMessages, simNode, TOPIC } from './helpers.js'

const cleanup = new Cleanup()
afterEach(() => cleanup.run())

function expectNothingRunning(factory: ConditionedMemoryFactory): void {
  const stats = factory.network.stats()
  expect(stats).toMatchObject({
    openConnections: 0,
    activeTimers: 0,
    queuedBytes: 0,
    queuedSegments: 0,
  })
}

describe('conditioned memory transport under libp2p', () => {
  it('upgrades with noise and yamux and carries gossipsub both ways', async () => {
    const net = conditionedMemory({ conditions: { latencyMs: 10, jitterMs: 5, loss: 0 }, seed: 1 })
    const a = await simNode(cleanup, net, 'a')
    const b = await simNode(cleanup, net, 'b')
    const atA = recordMessages(a)
    const atB = recordMessages(b)
    await connectPair(a, b)

    const [connection] = a.getConnections(b.peerId)
    expect(connection?.encryption).toBe('/noise')
    expect(connection?.multiplexer).toBe('/yamux/1.0.0')

    await a.services.pubsub.publish(TOPIC, payload(1))
    await b.services.pubsub.publish(TOPIC, payload(2))
    await until(() => atB.length === 1 && atA.length === 1, { message: 'one message each way' })
    expect(atB[0]?.index).toBe(1)
    expect(atA[0]?.index).toBe(2)
    expect(net.network.stats().segmentsDelivered).toBeGreaterThan(0)
  })

  it('a ping round trip takes at least two one-way latencies', async () => {
    const net = conditionedMemory({ conditions: { latencyMs: 50, jitterMs: 0, loss: 0 } })
    const a = await simNode(cleanup, net, 'a')
    const b = await simNode(cleanup, net, 'b')
    await connectPair(a, b)

    for (let i = 0; i < 3; i++) {
      const started = performance.now()
      const rtt = await a.services.ping.ping(b.peerId)
      const elapsed = performance.now() - started
      expect(elapsed).toBeGreaterThanOrEqual(100)
      expect(rtt).toBeGreaterThanOrEqual(100)
    }
  })

  it('pipelines: 200 messages sent back to back arrive in order, far sooner than 200 × latency', async () => {
    const latencyMs = 20
    const count = 200
    const net = conditionedMemory({ conditions: { latencyMs, jitterMs: 0, loss: 0 } })
    const a = await simNode(cleanup, net, 'a')
    const b = await simNode(cleanup, net, 'b')
    const atB = recordMessages(b)
    await connectPair(a, b)

    const firstSentAt = performance.now()
    for (const index of range(count)) await a.services.pubsub.publish(TOPIC, payload(index))
    await until(() => atB.length === count, { timeout: 20_000, message: `${count} messages` })

    expect(atB.map((m) => m.index)).toEqual(range(count))
    const lastArrival = (atB.at(-1)?.at ?? Infinity) - firstSentAt
    expect(lastArrival).toBeGreaterThanOrEqual(latencyMs)
    // Serialised delays (one latency per buffer) would take ≥ 4000 ms.
    expect(lastArrival).toBeLessThan((count * latencyMs) / 2)
  })

  it('with loss 0.2 every message arrives in order, some after a retransmission', async () => {
    const count = 100
    const net = conditionedMemory({
      conditions: { latencyMs: 5, jitterMs: 2, loss: 0.2 },
      seed: 42,
    })
    const a = await simNode(cleanup, net, 'a')
    const b = await simNode(cleanup, net, 'b')
    const atB = recordMessages(b)
    await connectPair(a, b, 30_000)

    const before = net.network.stats()
    const sentAt: number[] = []
    for (const index of range(count)) {
      sentAt.push(performance.now())
      await a.services.pubsub.publish(TOPIC, payload(index))
    }
    await until(() => atB.length === count, { timeout: 30_000, message: `${count} messages` })

    expect(atB.map((m) => m.index)).toEqual(range(count))
    const after = net.network.stats()
    expect(after.segmentsRetransmitted).toBeGreaterThan(before.segmentsRetransmitted)
    expect(after.retransmissions).toBeGreaterThanOrEqual(after.segmentsRetransmitted)
    // Without loss every message would take about 5–7 ms; a retransmission adds ≥ 200 ms.
    const delays = atB.map((m) => m.at - (sentAt[m.index] ?? Infinity))
    expect(Math.max(...delays)).toBeGreaterThanOrEqual(MIN_RETRANSMIT_MS)
  })

  it('applies conditions changed at run time to what is sent next', async () => {
    const net = conditionedMemory({ conditions: { latencyMs: 0, jitterMs: 0, loss: 0 } })
    const a = await simNode(cleanup, net, 'a')
    const b = await simNode(cleanup, net, 'b')
    await connectPair(a, b)
    const table = net.network.table
    if (table == null) throw new Error('expected a conditions table')

    expect(await a.services.ping.ping(b.peerId)).toBeLessThan(150)
    table.set('a', 'b', { latencyMs: 150 })
    table.set(b.peerId.toString(), a.peerId.toString(), { latencyMs: 100 })
    const started = performance.now()
    await a.services.ping.ping(b.peerId)
    expect(performance.now() - started).toBeGreaterThanOrEqual(250)

    table.clear()
    expect(await a.services.ping.ping(b.peerId)).toBeLessThan(150)
  })

  it('closing or aborting one end closes the other; stopping leaves nothing running', async () => {
    const net = conditionedMemory({ conditions: { latencyMs: 30, jitterMs: 10, loss: 0.05 } })
    const a = await simNode(cleanup, net, 'a')
    const b = await simNode(cleanup, net, 'b')
    await connectPair(a, b)

    await a.hangUp(b.peerId)
    await until(() => b.getConnections(a.peerId).length === 0, { message: 'b to see the close' })
    await until(() => net.network.stats().openConnections === 0)

    await connectPair(a, b)
    const [connection] = b.getConnections(a.peerId)
    connection?.abort(new Error('test abort'))
    await until(() => a.getConnections(b.peerId).length === 0, { message: 'a to see the abort' })
    await until(() => net.network.stats().openConnections === 0)

    // Traffic in flight when the nodes stop.
    await connectPair(a, b)
    for (const index of range(50)) await a.services.pubsub.publish(TOPIC, payload(index))
    expect(net.network.stats().queuedSegments).toBeGreaterThan(0)
    await a.stop()
    await b.stop()
    expectNothingRunning(net)
  })

  it('is a namespace of its own: neither @libp2p/memory nor another factory reaches it', async () => {
    const net = conditionedMemory({ conditions: { latencyMs: 0, jitterMs: 0, loss: 0 } })
    const other = conditionedMemory({ conditions: { latencyMs: 0, jitterMs: 0, loss: 0 } })
    const a = await simNode(cleanup, net, 'shared-name')
    const b = await simNode(cleanup, other, 'shared-name')
    const plain = await createMeshLibp2p({
      listen: ['/memory/plain-memory-node'],
      transport: 'memory',
      transportFactory: memory(),
      mdns: false,
      bootstrap: [],
    })
    cleanup.defer(() => plain.stop())

    await expect(b.dial(addrOf(a), { signal: AbortSignal.timeout(5_000) })).rejects.toThrow()
    await expect(plain.dial(addrOf(a), { signal: AbortSignal.timeout(5_000) })).rejects.toThrow()
    expect(net.network.stats().connectionsOpened).toBe(0)
  })
})
