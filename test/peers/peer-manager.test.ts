/** PeerManager with stub components and fake timers: its loop, backoff, pruning and stop. */
import { generateKeyPair } from '@libp2p/crypto/keys'
import type { Connection, Peer, PeerId } from '@libp2p/interface'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest'
import { MEMBER_TAG, PeerManager, type PeerManagerComponents } from '../../src/peers/index.js'

const BACKOFF = { baseMs: 1_000, factor: 2, maxMs: 4_000, jitter: 0 }
let ids: PeerId[] = []

beforeAll(async () => {
  ids = await Promise.all(
    Array.from({ length: 8 }, async () => peerIdFromPrivateKey(await generateKeyPair('Ed25519'))),
  )
})

type Listener = (event: CustomEvent<PeerId>) => void

/** libp2p reduced to what the manager uses; dials answered by `answer`. */
class StubLibp2p {
  readonly dials: Array<{ peerId: string; signal: AbortSignal | undefined }> = []
  readonly hangUps: string[] = []
  readonly open = new Map<string, number>()
  remembered: Array<{ id: PeerId; member: boolean }> = []
  answer: (peerId: string) => Promise<void> = async () => {
    throw new Error('unreachable')
  }
  private readonly listeners = new Map<string, Set<Listener>>()

  readonly peerStore = {
    all: async (query: { limit?: number; filters?: Array<(peer: Peer) => boolean> }) =>
      this.remembered
        .map(
          ({ id, member }) =>
            ({
              id,
              addresses: [{}],
              tags: new Map(member ? [[MEMBER_TAG, { value: 1 }]] : []),
            }) as unknown as Peer,
        )
        .filter((peer) => (query.filters ?? []).every((filter) => filter(peer)))
        .slice(0, query.limit),
  }

  async dial(peer: PeerId, options: { signal?: AbortSignal }): Promise<Connection> {
    this.dials.push({ peerId: peer.toString(), signal: options.signal })
    await this.answer(peer.toString())
    this.connect(peer, Date.now())
    return {} as Connection
  }

  async hangUp(peer: PeerId): Promise<void> {
    this.hangUps.push(peer.toString())
    this.open.delete(peer.toString())
    this.emit('peer:disconnect', peer)
  }

  connect(peer: PeerId, at: number): void {
    this.open.set(peer.toString(), at)
    this.emit('peer:connect', peer)
  }

  getConnections(): Connection[] {
    return [...this.open].map(
      ([id, at]) =>
        ({
          remotePeer: ids.find((p) => p.toString() === id),
          status: 'open',
          timeline: { open: at },
        }) as unknown as Connection,
    )
  }

  addEventListener(type: string, listener: Listener, options?: { signal?: AbortSignal }): void {
    const set = this.listeners.get(type) ?? new Set()
    this.listeners.set(type, set)
    set.add(listener)
    options?.signal?.addEventListener('abort', () => set.delete(listener))
  }

  removeEventListener(type: string, listener: Listener): void {
    this.listeners.get(type)?.delete(listener)
  }

  get listenerCount(): number {
    return [...this.listeners.values()].reduce((n, set) => n + set.size, 0)
  }

  private emit(type: string, peer: PeerId): void {
    for (const listener of this.listeners.get(type) ?? []) {
      listener(new CustomEvent(type, { detail: peer }))
    }
  }
}

function setup(config = { targetPeers: 2, maxPeers: 3, timeoutMs: 500 }) {
  const libp2p = new StubLibp2p()
  const members: Array<{ id: string; status: string }> = []
  const table = { broken: false }
  const manager = new PeerManager(
    {
      identity: { peerId: 'self' },
      libp2p: libp2p as unknown as PeerManagerComponents['libp2p'],
      members: {
        memberView: () => {
          if (table.broken) throw new Error('table unavailable')
          return members
        },
      },
      liveConfig: { config },
    },
    { intervalMs: 1_000, pruneGraceMs: 10_000, backoff: BACKOFF, random: () => 0 },
  )
  return { manager, libp2p, members, table }
}

describe('PeerManager (stub components, fake timers)', () => {
  beforeEach(() => {
    vi.useFakeTimers()
  })
  afterEach(() => {
    vi.useRealTimers()
  })

  it('on start dials members remembered in the peer store (no other peer), each dial with a signal', async () => {
    const { manager, libp2p } = setup()
    libp2p.remembered = [
      { id: ids[0]!, member: false },
      { id: ids[1]!, member: true },
      { id: ids[2]!, member: false },
      { id: ids[3]!, member: true },
    ]
    libp2p.answer = async () => {}
    await manager.start()
    await vi.advanceTimersByTimeAsync(0)
    expect(libp2p.dials.map((d) => d.peerId)).toEqual([ids[1]!.toString(), ids[3]!.toString()])
    expect(libp2p.dials[0]?.signal).toBeInstanceOf(AbortSignal)
    expect(manager.stats()).toMatchObject({ connections: 2, dials: 2, remembered: 2 })
    await manager.stop()
  })

  it('fills to the target from alive members and backs off a peer whose dial failed', async () => {
    const { manager, libp2p, members } = setup()
    members.push(
      { id: ids[0]!.toString(), status: 'alive' },
      { id: ids[1]!.toString(), status: 'alive' },
    )
    libp2p.answer = async (peerId) => {
      if (peerId === ids[0]!.toString()) throw new Error('refused')
    }
    await manager.start()
    await vi.advanceTimersByTimeAsync(0)
    expect(libp2p.dials.map((d) => d.peerId).sort()).toEqual(
      [ids[0]!.toString(), ids[1]!.toString()].sort(),
    )
    expect(manager.stats()).toMatchObject({ dialFailures: 1, backingOff: 1, connections: 1 })

    // Failure 1 → 1 s, failure 2 → 2 s: rounds every second only dial it once it is over.
    await vi.advanceTimersByTimeAsync(1_000)
    expect(libp2p.dials.filter((d) => d.peerId === ids[0]!.toString())).toHaveLength(2)
    await vi.advanceTimersByTimeAsync(1_000)
    expect(libp2p.dials.filter((d) => d.peerId === ids[0]!.toString())).toHaveLength(2)
    await vi.advanceTimersByTimeAsync(1_000)
    expect(libp2p.dials.filter((d) => d.peerId === ids[0]!.toString())).toHaveLength(3)
    await manager.stop()
  })

  it('replaces a lost connection at once, with another member', async () => {
    const { manager, libp2p, members } = setup()
    for (const id of ids.slice(0, 3)) members.push({ id: id.toString(), status: 'alive' })
    libp2p.answer = async () => {}
    await manager.start()
    await vi.advanceTimersByTimeAsync(0)
    expect(libp2p.open.size).toBe(2)
    const lost = ids[0]!
    libp2p.open.delete(lost.toString())
    await libp2p.hangUp(lost) // emits peer:disconnect
    await vi.advanceTimersByTimeAsync(0)
    expect(libp2p.open.size).toBe(2)
    expect(libp2p.open.has(ids[2]!.toString())).toBe(true)
    await manager.stop()
  })

  it('prunes random alive members above maxPeers, never a young connection', async () => {
    const { manager, libp2p, members } = setup({ targetPeers: 1, maxPeers: 2, timeoutMs: 500 })
    const old = Date.now() - 60_000
    libp2p.connect(ids[0]!, Date.now()) // young, not a member: joining through us
    libp2p.connect(ids[1]!, old) // old, not a member
    libp2p.connect(ids[2]!, old)
    libp2p.connect(ids[3]!, old)
    members.push(
      { id: ids[2]!.toString(), status: 'alive' },
      { id: ids[3]!.toString(), status: 'alive' },
    )
    await manager.start()
    await vi.advanceTimersByTimeAsync(0)
    expect(libp2p.hangUps).toEqual([ids[2]!.toString(), ids[3]!.toString()])
    expect(manager.stats()).toMatchObject({ pruned: 2, connections: 2 })
    expect(libp2p.dials).toHaveLength(0)
    await manager.stop()
  })

  it('keeps running when a round fails, and stop() twice leaves no timer or listener', async () => {
    const { manager, libp2p, members, table } = setup()
    libp2p.answer = () => new Promise(() => {}) // hangs until aborted
    table.broken = true
    members.push({ id: ids[0]!.toString(), status: 'alive' })
    await manager.start()
    await vi.advanceTimersByTimeAsync(0)
    expect(libp2p.dials).toHaveLength(0)
    table.broken = false
    await vi.advanceTimersByTimeAsync(1_000)
    expect(libp2p.dials).toHaveLength(1)
    expect(manager.stats().rounds).toBe(2)

    await manager.stop()
    await manager.stop()
    expect(libp2p.dials[0]?.signal?.aborted).toBe(true)
    expect(libp2p.listenerCount).toBe(0)
    expect(vi.getTimerCount()).toBe(0)
  })
})
