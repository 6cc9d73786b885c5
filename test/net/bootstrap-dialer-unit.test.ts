import { peerIdFromString } from '@libp2p/peer-id'
import { multiaddr } from '@multiformats/multiaddr'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { BootstrapDialer } from '../../src/net/index.js'
import { identity } from './helpers.js'
import { silentLogger, StubConnectionManager, StubEvents, unusedComponentLogger } from './stubs.js'

const BACKOFF = { baseMs: 100, factor: 2, maxMs: 400, jitter: 0 }

async function setup(): Promise<{
  dialer: BootstrapDialer
  manager: StubConnectionManager
  events: StubEvents
  seed: string
}> {
  const self = peerIdFromString((await identity()).peerId)
  const seed = (await identity()).peerId
  const manager = new StubConnectionManager()
  const events = new StubEvents()
  const dialer = new BootstrapDialer(
    { peerId: self, logger: unusedComponentLogger, connectionManager: manager, events },
    {
      peers: [
        multiaddr(`/ip4/10.0.0.1/tcp/4001/p2p/${seed}`),
        multiaddr(`/ip4/10.0.0.2/tcp/4001/p2p/${self.toString()}`),
      ],
      backoff: BACKOFF,
      dialTimeoutMs: 1_000,
      logger: silentLogger,
    },
  )
  return { dialer, manager, events, seed }
}

describe('BootstrapDialer (stub components, fake timers)', () => {
  beforeEach(() => {
    vi.useFakeTimers()
  })
  afterEach(() => {
    vi.useRealTimers()
  })

  it('skips its own address and dials the others once started, each dial with a signal', async () => {
    const { dialer, manager } = await setup()
    dialer.start()
    dialer.afterStart()
    await vi.advanceTimersByTimeAsync(0)

    expect(manager.calls).toHaveLength(1)
    expect(manager.calls[0]?.target.toString()).toContain('/ip4/10.0.0.1/')
    expect(manager.calls[0]?.signal).toBeInstanceOf(AbortSignal)
    dialer.stop()
  })

  it('redials after each failure with growing, capped delays', async () => {
    const { dialer, manager } = await setup()
    dialer.start()
    dialer.afterStart()
    await vi.advanceTimersByTimeAsync(0)
    expect(manager.calls).toHaveLength(1)

    // Failures 1, 2, 3, 4 → next dial after 100, 200, 400, 400 ms.
    for (const [delay, dials] of [
      [99, 1],
      [1, 2],
      [199, 2],
      [1, 3],
      [400, 4],
      [400, 5],
    ] as const) {
      await vi.advanceTimersByTimeAsync(delay)
      expect(manager.calls).toHaveLength(dials)
    }
    expect(dialer.status()[0]).toMatchObject({ connected: false, failures: 5 })
    dialer.stop()
  })

  it('stops redialing once connected and redials when the peer disconnects', async () => {
    const { dialer, manager, events, seed } = await setup()
    manager.answer = async () => peerIdFromString(seed)
    dialer.start()
    dialer.afterStart()
    await vi.advanceTimersByTimeAsync(1_000)
    expect(manager.calls).toHaveLength(1)
    expect(dialer.status()[0]).toMatchObject({ peerId: seed, connected: true, failures: 0 })

    manager.connected.delete(seed)
    events.disconnect(peerIdFromString(seed))
    await vi.advanceTimersByTimeAsync(BACKOFF.baseMs)
    expect(manager.calls).toHaveLength(2)
    expect(dialer.status()[0]?.connected).toBe(true)
    dialer.stop()
  })

  it('redials only while redialWhile() holds, and again once the node is alone', async () => {
    const { dialer, manager, events, seed } = await setup()
    let alone = false
    dialer.redialWhile(() => alone)
    dialer.start()
    dialer.afterStart()
    await vi.advanceTimersByTimeAsync(0)
    expect(manager.calls).toHaveLength(1) // the dial at start goes out whatever the condition

    await vi.advanceTimersByTimeAsync(5_000)
    expect(manager.calls).toHaveLength(1) // not alone: no retry
    events.disconnect(peerIdFromString(seed))
    await vi.advanceTimersByTimeAsync(5_000)
    expect(manager.calls).toHaveLength(1) // a disconnect while not alone changes nothing

    alone = true
    manager.answer = async () => peerIdFromString(seed)
    events.disconnect(peerIdFromString((await identity()).peerId)) // the last other peer went
    await vi.advanceTimersByTimeAsync(BACKOFF.baseMs)
    expect(manager.calls).toHaveLength(2)
    expect(dialer.status()[0]).toMatchObject({ connected: true, failures: 0 })
    dialer.stop()
  })

  it('stop() clears every timer and listener, aborts the dial in flight, and is idempotent', async () => {
    const { dialer, manager, events } = await setup()
    let inFlight: AbortSignal | undefined
    manager.answer = (call) =>
      new Promise((_resolve, reject) => {
        inFlight = call.signal
        call.signal?.addEventListener('abort', () => reject(new Error('aborted')))
      })
    dialer.start()
    dialer.afterStart()
    await vi.advanceTimersByTimeAsync(0)
    expect(events.listenerCount).toBe(1)

    dialer.stop()
    dialer.stop()

    expect(inFlight?.aborted).toBe(true)
    expect(events.listenerCount).toBe(0)
    await vi.advanceTimersByTimeAsync(10_000)
    expect(vi.getTimerCount()).toBe(0)
    expect(manager.calls).toHaveLength(1)
  })
})
