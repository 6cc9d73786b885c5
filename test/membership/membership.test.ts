/** Membership as a service, over a stub node and fake timers: deterministic timing. */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import {
  Membership,
  decodeHeartbeat,
  encodeHeartbeat,
  type MemberStatusChangedDetail,
} from '../../src/membership/index.js'
import { StubNode, coreOf } from '../helpers/stub-node.js'
import { heartbeatPayload } from '../helpers/heartbeats.js'

const hb = heartbeatPayload

let node: StubNode
let membership: Membership

beforeEach(() => {
  vi.useFakeTimers({ now: 1_000_000 })
  node = new StubNode('QmSelf', {
    heartbeatIntervalMs: 100,
    suspectAfter: 2,
    deadAfter: 4,
    weight: 7,
    maxNodes: 3,
  })
  membership = new Membership(coreOf(node), {
    version: '9.9.9',
    metadata: { nodeId: 'self' },
    random: () => 0,
  })
})

afterEach(async () => {
  await membership.stop()
  vi.useRealTimers()
})

describe('Membership', () => {
  it('sends a heartbeat at once and one per interval, at the interval read live', async () => {
    await membership.start()
    await vi.advanceTimersByTimeAsync(0)
    expect(node.sentOf('heartbeat')).toHaveLength(1)
    await vi.advanceTimersByTimeAsync(300)
    expect(node.sentOf('heartbeat')).toHaveLength(4)
    node.applyConfig({ heartbeatIntervalMs: 1000 })
    await vi.advanceTimersByTimeAsync(100) // the tick already scheduled at 100 ms
    await vi.advanceTimersByTimeAsync(900)
    expect(node.sentOf('heartbeat')).toHaveLength(5)
    await vi.advanceTimersByTimeAsync(100)
    expect(node.sentOf('heartbeat')).toHaveLength(6)
    const sent = decodeHeartbeat(node.sentOf('heartbeat')[0]!)
    expect(sent).toEqual({
      ok: true,
      // No claim known: its age reads as "since the epoch", i.e. settled, never fresh.
      value: hb({
        weight: 7,
        version: '9.9.9',
        roles: [],
        metadata: { nodeId: 'self' },
        termAgeMs: 1_000_000,
        intervalMs: 100,
      }),
    })
  })

  it('heartbeats at principalHeartbeatIntervalMs while principal, announcing each change', async () => {
    node.applyConfig({ principalHeartbeatIntervalMs: 25 })
    await membership.start()
    await vi.advanceTimersByTimeAsync(0)
    expect(node.sentOf('heartbeat')).toHaveLength(1)
    membership.setLocalState({ roles: ['principal'] })
    // At once (next turn of the loop), then every 25 ms.
    await vi.advanceTimersByTimeAsync(0)
    expect(node.sentOf('heartbeat')).toHaveLength(2)
    expect(decodeHeartbeat(node.sentOf('heartbeat')[1]!)).toMatchObject({
      value: { roles: ['principal'], intervalMs: 25 },
    })
    await vi.advanceTimersByTimeAsync(100)
    expect(node.sentOf('heartbeat')).toHaveLength(6)
    membership.setLocalState({ roles: ['member'] })
    await vi.advanceTimersByTimeAsync(0)
    expect(node.sentOf('heartbeat')).toHaveLength(7)
    expect(decodeHeartbeat(node.sentOf('heartbeat')[6]!)).toMatchObject({
      value: { roles: ['member'], intervalMs: 100 },
    })
    await vi.advanceTimersByTimeAsync(99)
    expect(node.sentOf('heartbeat')).toHaveLength(7)
    await vi.advanceTimersByTimeAsync(1)
    expect(node.sentOf('heartbeat')).toHaveLength(8)
  })

  it('finds a fast member dead at its own deadline, however long our interval', async () => {
    node.applyConfig({ heartbeatIntervalMs: 10_000 })
    const changes: Array<[string, number]> = []
    membership.addEventListener('members.status-changed', (e) =>
      changes.push([e.detail.status, Date.now() - 1_000_000]),
    )
    await membership.start()
    node.deliver('QmP', 'heartbeat', encodeHeartbeat(hb({ intervalMs: 100 })))
    // Heartbeats every 100 ms keep it alive, whatever our 10 s interval.
    for (let i = 0; i < 5; i++) {
      await vi.advanceTimersByTimeAsync(100)
      node.deliver('QmP', 'heartbeat', encodeHeartbeat(hb({ intervalMs: 100 })))
    }
    expect(changes).toEqual([])
    // Last heard at 500: suspect at 500 + 250, dead at 500 + 450 (1 ms past each deadline).
    await vi.advanceTimersByTimeAsync(1000)
    expect(changes).toEqual([
      ['suspect', 751],
      ['dead', 951],
    ])
  })

  it('times each member by the interval it announces, capped at ten times its own', async () => {
    const changes: MemberStatusChangedDetail[] = []
    membership.addEventListener('members.status-changed', (e) => changes.push(e.detail))
    node.applyConfig({ maxNodes: 10 })
    await membership.start()
    node.deliver('QmFast', 'heartbeat', encodeHeartbeat(hb({ intervalMs: 20 })))
    node.deliver('QmSlow', 'heartbeat', encodeHeartbeat(hb({ intervalMs: 500 })))
    node.deliver('QmHuge', 'heartbeat', encodeHeartbeat(hb({ intervalMs: 600_000 })))
    node.deliver('QmOld', 'heartbeat', encodeHeartbeat(hb()))
    expect(membership.member('QmFast')?.intervalMs).toBe(20)
    // Fast: suspect after (2 + 0.5) × 20 ms = 50 ms, dead after (4 + 0.5) × 20 ms = 90 ms.
    await vi.advanceTimersByTimeAsync(100)
    expect(changes.map((c) => [c.peerId, c.status])).toEqual([
      ['QmFast', 'suspect'],
      ['QmFast', 'dead'],
    ])
    // No interval announced: ours (100 ms) → suspect at 250, dead at 450.
    await vi.advanceTimersByTimeAsync(400)
    expect(membership.member('QmOld')?.status).toBe('dead')
    expect(membership.member('QmSlow')?.status).toBe('alive')
    // Slow: suspect after 2.5 × 500 = 1250 ms. Huge is capped at 10 × 100 ms: suspect at 2500.
    await vi.advanceTimersByTimeAsync(800)
    expect(membership.member('QmSlow')?.status).toBe('suspect')
    expect(membership.member('QmHuge')?.status).toBe('alive')
    await vi.advanceTimersByTimeAsync(1300)
    expect(membership.member('QmHuge')?.status).toBe('suspect')
  })

  it('puts the local state into its heartbeats, with the claim age', async () => {
    await membership.start()
    membership.setLocalState({
      term: 3,
      principal: 'QmP',
      principalWeight: 40,
      termIssuedAt: Date.now() - 500,
      roles: ['member'],
      eligible: false,
    })
    await vi.advanceTimersByTimeAsync(100)
    const last = decodeHeartbeat(node.sentOf('heartbeat').at(-1)!)
    expect(last).toMatchObject({
      ok: true,
      value: { term: 3, principal: 'QmP', principalWeight: 40, termAgeMs: 600, eligible: false },
    })
  })

  it('records peers, detects failures each interval, and a heartbeat refutes', async () => {
    const changes: MemberStatusChangedDetail[] = []
    const joined: string[] = []
    membership.addEventListener('members.status-changed', (e) => changes.push(e.detail))
    membership.addEventListener('members.joined', (e) => joined.push(e.detail.peerId))
    await membership.start()
    node.deliver('QmA', 'heartbeat', encodeHeartbeat(hb({ weight: 20 })), 1234)
    expect(joined).toEqual(['QmA'])
    expect(membership.member('QmA')).toMatchObject({ status: 'alive', weight: 20, step: 1234 })
    await vi.advanceTimersByTimeAsync(300)
    expect(changes.map((c) => [c.status, c.previous])).toEqual([['suspect', 'alive']])
    node.deliver('QmA', 'heartbeat', encodeHeartbeat(hb({ weight: 20 })))
    expect(changes.map((c) => [c.status, c.previous])).toEqual([
      ['suspect', 'alive'],
      ['alive', 'suspect'],
    ])
    await vi.advanceTimersByTimeAsync(500)
    expect(changes.at(-1)).toMatchObject({ peerId: 'QmA', status: 'dead', previous: 'suspect' })
    expect(membership.counts()).toEqual({ alive: 0, suspect: 0, dead: 1, left: 0 })
  })

  it('a disconnect makes it check exactly at the deadlines, never decides by itself', async () => {
    const changes: MemberStatusChangedDetail[] = []
    membership.addEventListener('members.status-changed', (e) => changes.push(e.detail))
    await membership.start()
    await vi.advanceTimersByTimeAsync(30)
    node.deliver('QmA', 'heartbeat', encodeHeartbeat(hb())) // lastSeen = start + 30
    node.disconnect('QmA')
    expect(membership.member('QmA')?.status).toBe('alive')
    // Suspect at +250 (start + 280), between the ticks at 200 and 300.
    await vi.advanceTimersByTimeAsync(251)
    expect(changes.map((c) => c.status)).toEqual(['suspect'])
    // Dead at +450 (start + 480), before the tick at 500.
    await vi.advanceTimersByTimeAsync(200)
    expect(changes.map((c) => c.status)).toEqual(['suspect', 'dead'])
  })

  it('reports weight changes and ignores invalid heartbeats and its own', async () => {
    const weights: Array<[number, number]> = []
    membership.addEventListener('members.weight-changed', (e) =>
      weights.push([e.detail.previous, e.detail.weight]),
    )
    await membership.start()
    node.deliver('QmA', 'heartbeat', encodeHeartbeat(hb({ weight: 20 })))
    node.deliver('QmA', 'heartbeat', encodeHeartbeat(hb({ weight: 35 })))
    expect(weights).toEqual([[20, 35]])
    node.deliver('QmB', 'heartbeat', Buffer.from('{"status":"active"}'))
    node.deliver('QmSelf', 'heartbeat', encodeHeartbeat(hb()))
    node.deliver('QmC', 'advice', encodeHeartbeat(hb()))
    expect(membership.members().map((m) => m.id)).toEqual(['QmA'])
    expect(membership.stats()).toMatchObject({ invalidHeartbeats: 1, heartbeatsReceived: 2 })
  })

  it('holds at most maxNodes − 1 peers, counting the rest', async () => {
    const overflow: string[] = []
    membership.addEventListener('members.overflow', (e) => overflow.push(e.detail.peerId))
    await membership.start()
    for (const id of ['QmA', 'QmB', 'QmC', 'QmD'])
      node.deliver(id, 'heartbeat', encodeHeartbeat(hb()))
    expect(membership.members().map((m) => m.id)).toEqual(['QmA', 'QmB'])
    expect(overflow).toEqual(['QmC', 'QmD'])
    expect(membership.stats().overflow).toBe(2)
  })

  it('raises members.flapping when a member keeps changing status', async () => {
    const flapping: string[] = []
    membership = new Membership(coreOf(node), { flapping: { maxChanges: 3, windowHeartbeats: 50 } })
    membership.addEventListener('members.flapping', (e) => flapping.push(e.detail.peerId))
    await membership.start()
    for (let i = 0; i < 2; i++) {
      node.deliver('QmA', 'heartbeat', encodeHeartbeat(hb()))
      await vi.advanceTimersByTimeAsync(300) // → suspect
    }
    expect(flapping).toEqual([]) // suspect, alive, suspect: 3 changes
    node.deliver('QmA', 'heartbeat', encodeHeartbeat(hb())) // 4th: alive
    expect(flapping).toEqual(['QmA'])
  })

  it('stop() leaves no timer and no listener, twice over; start() resumes', async () => {
    await membership.start()
    await vi.advanceTimersByTimeAsync(0)
    node.deliver('QmA', 'heartbeat', encodeHeartbeat(hb()))
    node.disconnect('QmA')
    await membership.stop()
    await membership.stop()
    expect(vi.getTimerCount()).toBe(0)
    expect(node.listeners()).toBe(0)
    const sent = node.sent.length
    await vi.advanceTimersByTimeAsync(1000)
    expect(node.sent.length).toBe(sent)
    await membership.start()
    await vi.advanceTimersByTimeAsync(0)
    expect(node.sent.length).toBe(sent + 1)
  })

  it('drops members dead for the retention period', async () => {
    const removed: string[] = []
    membership = new Membership(coreOf(node), { deadRetentionHeartbeats: 10 })
    membership.addEventListener('members.removed', (e) => removed.push(e.detail.peerId))
    await membership.start()
    node.deliver('QmA', 'heartbeat', encodeHeartbeat(hb()))
    await vi.advanceTimersByTimeAsync(900)
    expect(membership.member('QmA')?.status).toBe('dead')
    await vi.advanceTimersByTimeAsync(200)
    expect(removed).toEqual(['QmA'])
    expect(membership.members()).toEqual([])
  })
})
