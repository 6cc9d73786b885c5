import type { PeerId, PeerInfo } from '@libp2p/interface'
import { peerIdFromString } from '@libp2p/peer-id'
import { multiaddr } from '@multiformats/multiaddr'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { DiscoveryDialer } from '../../src/net/index.js'
import { identity } from './helpers.js'
import {
  silentLogger,
  StubConnectionManager,
  StubDiscovery,
  unusedComponentLogger,
} from './stubs.js'

const COOLDOWN_MS = 1_000

async function newPeer(): Promise<PeerInfo> {
  const id = peerIdFromString((await identity()).peerId)
  return { id, multiaddrs: [multiaddr('/ip4/192.168.1.7/tcp/4001')] }
}

async function setup(concurrency = 2): Promise<{
  dialer: DiscoveryDialer
  manager: StubConnectionManager
  source: StubDiscovery
  self: PeerId
}> {
  const self = peerIdFromString((await identity()).peerId)
  const manager = new StubConnectionManager()
  const source = new StubDiscovery()
  const dialer = new DiscoveryDialer(
    { peerId: self, logger: unusedComponentLogger, connectionManager: manager },
    {
      sources: [source.asPeerDiscovery()],
      concurrency,
      redialCooldownMs: COOLDOWN_MS,
      dialTimeoutMs: 1_000,
      logger: silentLogger,
    },
  )
  return { dialer, manager, source, self }
}

/** Dials that wait until the test settles them. */
function holdDials(manager: StubConnectionManager): Array<() => void> {
  const release: Array<() => void> = []
  manager.answer = (call) =>
    new Promise<PeerId>((resolve, reject) => {
      const targets = Array.isArray(call.target) ? call.target : [call.target]
      const id = targets[0]?.toString().split('/p2p/')[1] ?? ''
      release.push(() => resolve(peerIdFromString(id)))
      call.signal?.addEventListener('abort', () => reject(new Error('aborted')))
    })
  return release
}

describe('DiscoveryDialer (stub components)', () => {
  beforeEach(() => {
    vi.useFakeTimers()
  })
  afterEach(() => {
    vi.useRealTimers()
  })

  it('dials an announced peer at its addresses with /p2p/ added, with a signal', async () => {
    const { dialer, manager, source } = await setup()
    const peer = await newPeer()
    dialer.start()

    source.announce(peer)

    expect(manager.calls).toHaveLength(1)
    expect(manager.calls[0]?.target.toString()).toBe(
      `/ip4/192.168.1.7/tcp/4001/p2p/${peer.id.toString()}`,
    )
    expect(manager.calls[0]?.signal).toBeInstanceOf(AbortSignal)
    dialer.stop()
  })

  it('ignores itself and peers it is already connected to', async () => {
    const { dialer, manager, source, self } = await setup()
    const connected = await newPeer()
    manager.connected.add(connected.id.toString())
    dialer.start()

    source.announce({ id: self, multiaddrs: [] })
    source.announce(connected)

    expect(manager.calls).toHaveLength(0)
    dialer.stop()
  })

  it('dials only while dialWhile() holds (the peer manager: below its target)', async () => {
    const { dialer, manager, source } = await setup()
    let below = false
    dialer.dialWhile(() => below)
    dialer.start()
    source.announce(await newPeer())
    expect(manager.calls).toHaveLength(0)
    below = true
    source.announce(await newPeer())
    expect(manager.calls).toHaveLength(1)
    dialer.stop()
  })

  it('runs at most `concurrency` dials at once and queues the rest', async () => {
    const { dialer, manager, source } = await setup(2)
    const release = holdDials(manager)
    dialer.start()

    for (let i = 0; i < 5; i++) source.announce(await newPeer())
    expect(manager.calls).toHaveLength(2)
    expect(dialer.pending()).toEqual({ dialing: 2, queued: 3 })

    release[0]?.()
    await vi.advanceTimersByTimeAsync(0)
    expect(manager.calls).toHaveLength(3)
    expect(dialer.pending()).toEqual({ dialing: 2, queued: 2 })
    dialer.stop()
  })

  it('does not redial a peer within the cooldown, and does after it', async () => {
    const { dialer, manager, source } = await setup()
    const peer = await newPeer()
    dialer.start()

    source.announce(peer)
    await vi.advanceTimersByTimeAsync(0)
    source.announce(peer)
    expect(manager.calls).toHaveLength(1)

    await vi.advanceTimersByTimeAsync(COOLDOWN_MS)
    source.announce(peer)
    expect(manager.calls).toHaveLength(2)
    dialer.stop()
  })

  it('stop() removes its listeners, aborts dials in flight, drops the queue; stop twice is fine', async () => {
    const { dialer, manager, source } = await setup(1)
    holdDials(manager)
    dialer.start()
    source.announce(await newPeer())
    source.announce(await newPeer())

    dialer.stop()
    dialer.stop()

    expect(source.listenerCount).toBe(0)
    expect(manager.calls[0]?.signal?.aborted).toBe(true)
    expect(dialer.pending().queued).toBe(0)
    source.announce(await newPeer())
    await vi.advanceTimersByTimeAsync(0)
    expect(manager.calls).toHaveLength(1)
    expect(dialer.pending().dialing).toBe(0)
  })
})
