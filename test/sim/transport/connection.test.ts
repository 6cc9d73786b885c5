/**
 * Connection ends (MultiaddrConnections) of the conditioned memory network without libp2p:
 * bytes, backpressure, close, abort, pause, per-link seeds; and the transport's listen/dial
 * errors and address filters.
 */
import type { ComponentLogger, Logger, PeerId, Upgrader } from '@libp2p/interface'
import { multiaddr } from '@multiformats/multiaddr'
import { afterEach, describe, expect, it, vi } from 'vitest'
import {
  conditionedMemory,
  ConditionedMemoryNetwork,
  InvalidConditionsError,
  ConditionedMemoryTransport,
  type ConditionedMemoryInit,
  type SimEndpoint,
} from '../../../src/sim/transport/index.js'
import type {
  SimConnection,
  SimMultiaddrConnection,
} from '../../../src/sim/transport/sim-connection.js'
import { until } from '../../helpers/until.js'

function stubLogger(): Logger {
  const log = Object.assign(() => {}, {
    enabled: false,
    error: () => {},
    trace: () => {},
  })
  return Object.assign(log, { newScope: () => log }) as unknown as Logger
}

const A: SimEndpoint = { peerId: 'peer-a', name: 'a' }
const B: SimEndpoint = { peerId: 'peer-b', name: 'b' }

function connect(init: ConditionedMemoryInit): {
  network: ConditionedMemoryNetwork
  connection: SimConnection
} {
  const network = new ConditionedMemoryNetwork(init)
  const connection = network.connect(A, '/memory/b', B, {
    dialer: stubLogger(),
    listener: stubLogger(),
  })
  return { network, connection }
}

/** Every byte `end` receives, in order. */
function collect(end: SimMultiaddrConnection): number[] {
  const bytes: number[] = []
  end.addEventListener('message', (event) => {
    for (const byte of event.data.subarray()) bytes.push(byte)
  })
  return bytes
}

function pattern(length: number): Uint8Array {
  return Uint8Array.from({ length }, (_, i) => i % 251)
}

afterEach(() => {
  vi.useRealTimers()
})

describe('conditioned memory connection', () => {
  it('pushes back on a sender past the limit, then drains, and delivers every byte in order', async () => {
    const maxQueuedBytes = 64 * 1024
    const { network, connection } = connect({
      conditions: { latencyMs: 10, jitterMs: 5, loss: 0 },
      maxQueuedBytes,
    })
    const received = collect(connection.listener)
    let drains = 0
    connection.dialer.addEventListener('drain', () => drains++)
    let maxQueued = 0
    const watch = setInterval(() => {
      maxQueued = Math.max(maxQueued, network.stats().queuedBytes)
    }, 1)

    const data = pattern(512 * 1024)
    expect(connection.dialer.send(data)).toBe(false)
    expect(network.stats().queuedBytes).toBeLessThanOrEqual(maxQueuedBytes)
    await until(() => received.length === data.length, { message: 'all bytes' })
    clearInterval(watch)

    expect(Buffer.from(received).equals(Buffer.from(data))).toBe(true)
    expect(drains).toBeGreaterThan(0)
    expect(maxQueued).toBeLessThanOrEqual(maxQueuedBytes)
    const stats = network.stats()
    expect(stats.backpressureEvents).toBeGreaterThan(0)
    expect(stats.drainEvents).toBe(stats.backpressureEvents)
    expect(stats.queuedBytes).toBe(0)
  })

  it('closing one end delivers what it sent, then closes the other end', async () => {
    const { network, connection } = connect({ conditions: { latencyMs: 20, jitterMs: 0, loss: 0 } })
    const received = collect(connection.listener)
    let listenerClosedWith: number | undefined
    connection.listener.addEventListener('close', () => (listenerClosedWith = received.length))

    const started = performance.now()
    connection.dialer.send(pattern(1000))
    await connection.dialer.close()
    expect(performance.now() - started).toBeGreaterThanOrEqual(20)
    expect(listenerClosedWith).toBe(1000)
    expect(connection.dialer.status).toBe('closed')
    expect(connection.listener.status).toBe('closed')
    expect(connection.closed).toBe(true)
    expect(network.stats()).toMatchObject({ openConnections: 0, activeTimers: 0, queuedBytes: 0 })
  })

  it('aborting one end resets the other at once and discards what is in flight', async () => {
    const { network, connection } = connect({
      conditions: { latencyMs: 10_000, jitterMs: 0, loss: 0 },
    })
    const received = collect(connection.dialer)
    connection.listener.send(pattern(300))
    expect(network.stats().queuedBytes).toBe(300)

    connection.listener.abort(new Error('test abort'))
    await until(() => connection.dialer.status === 'reset', { message: 'dialer reset' })
    expect(received).toHaveLength(0)
    expect(connection.closed).toBe(true)
    expect(network.stats()).toMatchObject({
      openConnections: 0,
      activeTimers: 0,
      queuedBytes: 0,
      bytesDiscarded: 300,
    })
  })

  it('a receiver that pauses holds its inbound link; the sender then has to wait', async () => {
    const { network, connection } = connect({
      conditions: { latencyMs: 1, jitterMs: 0, loss: 0 },
      maxQueuedBytes: 1000,
    })
    const received = collect(connection.listener)
    connection.listener.pause()
    expect(connection.dialer.send(pattern(600))).toBe(true)
    expect(connection.dialer.send(pattern(600))).toBe(false)
    await new Promise((resolve) => setImmediate(resolve))
    expect(network.stats().activeTimers).toBe(0)
    expect(received).toHaveLength(0)

    connection.listener.resume()
    await until(() => received.length === 1200, { message: 'bytes after resume' })
    connection.dialer.abort(new Error('done'))
  })

  it('seeds each link from the network seed and the ends, so the same seed gives the same delays', async () => {
    vi.useFakeTimers({ now: 0 })
    const arrivals = async (seed: number): Promise<number[]> => {
      vi.setSystemTime(0)
      const { connection } = connect({
        conditions: { latencyMs: 10, jitterMs: 50, loss: 0.2 },
        seed,
        now: () => Date.now(),
      })
      const times: number[] = []
      connection.listener.addEventListener('message', (event) => {
        for (let i = 0; i < event.data.byteLength; i++) times.push(Date.now())
      })
      for (let i = 0; i < 40; i++) {
        connection.dialer.send(new Uint8Array([i]))
        await vi.advanceTimersByTimeAsync(2)
      }
      await vi.advanceTimersByTimeAsync(10_000)
      connection.dialer.abort(new Error('done'))
      await vi.advanceTimersByTimeAsync(0)
      return times
    }
    const first = await arrivals(11)
    expect(first).toHaveLength(40)
    expect(await arrivals(11)).toEqual(first)
    expect(await arrivals(12)).not.toEqual(first)
  })
})

describe('conditions from a function', () => {
  it('is asked per segment with the node names (else peer ids) of both ends', async () => {
    vi.useFakeTimers({ now: 0 })
    const calls: string[] = []
    let extraMs = 0
    const { connection } = connect({
      conditions: (from, to, ends) => {
        calls.push(`${from}>${to}:${ends.from.peerId}`)
        return { latencyMs: (from === 'a' ? 30 : 70) + extraMs, jitterMs: 0, loss: 0 }
      },
      now: () => Date.now(),
    })
    const arrivals = (end: SimMultiaddrConnection): number[] => {
      const times: number[] = []
      end.addEventListener('message', () => times.push(Date.now()))
      return times
    }
    const atB = arrivals(connection.listener)
    const atA = arrivals(connection.dialer)
    connection.dialer.send(new Uint8Array([1]))
    connection.listener.send(new Uint8Array([2]))
    await vi.advanceTimersByTimeAsync(100)
    extraMs = 100
    connection.dialer.send(new Uint8Array([3]))
    await vi.advanceTimersByTimeAsync(200)

    expect(atB).toEqual([30, 230])
    expect(atA).toEqual([70])
    expect(calls).toEqual(['a>b:peer-a', 'b>a:peer-b', 'a>b:peer-a'])
    connection.dialer.abort(new Error('done'))
  })

  it('refuses a bad seed or queue limit', () => {
    const conditions = { latencyMs: 0, jitterMs: 0, loss: 0 }
    expect(() => conditionedMemory({ conditions, seed: 1.5 })).toThrow(InvalidConditionsError)
    expect(() => conditionedMemory({ conditions, maxQueuedBytes: 0 })).toThrow(
      /maxQueuedBytes must be a positive integer/,
    )
    expect(() => conditionedMemory({ conditions: { ...conditions, loss: 2 } })).toThrow(
      InvalidConditionsError,
    )
  })
})

describe('ConditionedMemoryTransport', () => {
  const logger: ComponentLogger = { forComponent: () => stubLogger() }
  const upgrader = {} as Upgrader

  function transport(
    network: ConditionedMemoryNetwork,
    peerId: string,
  ): ConditionedMemoryTransport {
    return new ConditionedMemoryTransport(
      { peerId: { toString: () => peerId } as PeerId, logger },
      network,
    )
  }

  it('refuses an address in use and frees it on close', async () => {
    const network = new ConditionedMemoryNetwork({
      conditions: { latencyMs: 0, jitterMs: 0, loss: 0 },
    })
    const first = transport(network, 'peer-a').createListener({ upgrader })
    const second = transport(network, 'peer-b').createListener({ upgrader })
    await first.listen(multiaddr('/memory/x'))
    await expect(second.listen(multiaddr('/memory/x'))).rejects.toMatchObject({
      name: 'ListenError',
    })
    await first.close()
    await second.listen(multiaddr('/memory/x'))
    expect(network.addresses()).toEqual(['/memory/x'])
    await second.close()
  })

  it('afterStop aborts the ends and the dials its node left open', async () => {
    const network = new ConditionedMemoryNetwork({
      conditions: { latencyMs: 5, jitterMs: 0, loss: 0 },
    })
    const accepted: SimMultiaddrConnection[] = []
    const stubUpgrader = {
      upgradeOutbound: async (maConn: SimMultiaddrConnection) => ({ maConn }),
      upgradeInbound: async (maConn: SimMultiaddrConnection) => {
        accepted.push(maConn)
      },
    } as unknown as Upgrader
    const dialer = transport(network, 'peer-a')
    const listener = transport(network, 'peer-b')
    await listener.createListener({ upgrader: stubUpgrader }).listen(multiaddr('/memory/b'))
    const options = { signal: AbortSignal.timeout(5_000), upgrader: stubUpgrader }
    const { maConn } = (await dialer.dial(multiaddr('/memory/b'), options)) as unknown as {
      maConn: SimMultiaddrConnection
    }
    network.table?.setDefaults({ latencyMs: 10_000 })
    maConn.send(pattern(100))
    const pendingDial = dialer.dial(multiaddr('/memory/b'), options)
    expect(network.stats()).toMatchObject({ openConnections: 2, activeTimers: 2 })

    dialer.afterStop()
    await expect(pendingDial).rejects.toMatchObject({ name: 'ConnectionFailedError' })
    await until(() => network.stats().openConnections === 0, { message: 'connections closed' })
    expect(maConn.status).toBe('aborted')
    expect(accepted[0]?.status).toBe('reset')
    expect(network.stats()).toMatchObject({ activeTimers: 0, queuedBytes: 0 })
  })

  it('fails to dial an address nobody listens on', async () => {
    const network = new ConditionedMemoryNetwork({
      conditions: { latencyMs: 0, jitterMs: 0, loss: 0 },
    })
    await expect(
      transport(network, 'peer-a').dial(multiaddr('/memory/nobody'), {
        signal: AbortSignal.timeout(1_000),
        upgrader,
      }),
    ).rejects.toMatchObject({ name: 'ConnectionFailedError' })
    expect(network.stats().connectionsOpened).toBe(0)
  })

  it('listens on /memory/<name> and dials it with or without /p2p', () => {
    const t = transport(
      new ConditionedMemoryNetwork({ conditions: { latencyMs: 0, jitterMs: 0, loss: 0 } }),
      'peer-a',
    )
    const peer = '12D3KooWGC6TvWhfapngX6wvJHMYvKpDMXPb3ZnCZ6dMoaMtimQ5'
    const addrs = [
      '/memory/a',
      `/memory/a/p2p/${peer}`,
      '/ip4/127.0.0.1/tcp/1',
      `/ip4/127.0.0.1/tcp/1/p2p/${peer}`,
    ].map((addr) => multiaddr(addr))
    expect(t.listenFilter(addrs).map(String)).toEqual(['/memory/a'])
    expect(t.dialFilter(addrs).map(String)).toEqual(['/memory/a', `/memory/a/p2p/${peer}`])
  })
})
