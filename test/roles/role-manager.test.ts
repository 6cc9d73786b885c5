/** RoleManager over a stub node and a real Membership, with fake timers: exact timing. */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { Membership, encodeHeartbeat, type HeartbeatPayload } from '../../src/membership/index.js'
import {
  MemoryRoleStateStore,
  RoleManager,
  decodeRoleClaim,
  encodeRoleClaim,
  type ClaimRefusedDetail,
  type PersistedRoleState,
} from '../../src/roles/index.js'
import { StubNode, coreOf } from '../helpers/stub-node.js'
import { heartbeatPayload } from '../helpers/heartbeats.js'

const INTERVAL = 100
const DEAD_PERIOD = 4 * INTERVAL

function hb(changes: Partial<HeartbeatPayload> = {}): HeartbeatPayload {
  return heartbeatPayload({ weight: 5, version: '', ...changes })
}

let node: StubNode
let membership: Membership
let roles: RoleManager
let store: MemoryRoleStateStore

function setUp(persisted?: PersistedRoleState): void {
  node = new StubNode('QmSelf', {
    heartbeatIntervalMs: INTERVAL,
    suspectAfter: 2,
    deadAfter: 4,
    weight: 10,
  })
  membership = new Membership(coreOf(node), { random: () => 0 })
  store = new MemoryRoleStateStore(persisted)
  roles = new RoleManager({ ...coreOf(node), membership, store })
}

async function start(): Promise<void> {
  await membership.start()
  await roles.start()
}

beforeEach(() => {
  vi.useFakeTimers({ now: 5_000_000 })
  setUp()
})

afterEach(async () => {
  await roles.stop()
  await membership.stop()
  vi.useRealTimers()
})

describe('RoleManager', () => {
  it('alone, claims once a whole deadAfter period has passed, and writes the term first', async () => {
    const order: string[] = []
    const save = store.save.bind(store)
    store.save = async (state) => {
      order.push(`save ${state.term}`)
      await save(state)
    }
    const send = node.sendControl.bind(node)
    node.sendControl = async (kind, data) => {
      if (kind === 'role-claim') order.push(`claim ${decodeRoleClaim(data).ok ? 'ok' : 'bad'}`)
      return await send(kind, data)
    }
    await start()
    await vi.advanceTimersByTimeAsync(DEAD_PERIOD - 1)
    expect(roles.heardMesh).toBe(false)
    expect(node.sentOf('role-claim')).toEqual([])
    await vi.advanceTimersByTimeAsync(2)
    expect(roles.isPrincipal).toBe(true)
    expect(roles.term).toBe(1)
    expect(order).toEqual(['save 1', 'claim ok'])
    expect(decodeRoleClaim(node.sentOf('role-claim')[0]!)).toEqual({
      ok: true,
      value: { term: 1, principal: 'QmSelf', weight: 10 },
    })
    expect(membership.heartbeat()).toMatchObject({
      term: 1,
      principal: 'QmSelf',
      roles: ['principal'],
    })
  })

  it('hears the mesh one heartbeat round after the first peer heartbeat, and follows a heavier principal', async () => {
    const peer = hb({
      weight: 50,
      term: 3,
      principal: 'QmPeer',
      principalWeight: 50,
      termAgeMs: 60_000,
    })
    await start()
    await vi.advanceTimersByTimeAsync(10)
    node.deliver('QmPeer', 'heartbeat', encodeHeartbeat(peer))
    expect(roles.principal).toBe('QmPeer')
    expect(roles.term).toBe(3)
    await vi.advanceTimersByTimeAsync(1.5 * INTERVAL + 1)
    expect(roles.heardMesh).toBe(true)
    for (let i = 0; i < 10; i++) {
      node.deliver('QmPeer', 'heartbeat', encodeHeartbeat(peer))
      await vi.advanceTimersByTimeAsync(INTERVAL)
    }
    expect(node.sentOf('role-claim')).toEqual([])
    // Its heartbeats stop: dead after deadAfter intervals, and we (next heaviest) claim.
    await vi.advanceTimersByTimeAsync(DEAD_PERIOD + INTERVAL)
    expect(roles.principal).toBe('QmSelf')
    expect(roles.term).toBe(4)
  })

  it('a fresh node deposed on purpose by a lighter node does not take the role back as a formation race', async () => {
    await start()
    await vi.advanceTimersByTimeAsync(10)
    node.deliver('QmLight', 'heartbeat', encodeHeartbeat(hb({ weight: 5 })))
    await vi.advanceTimersByTimeAsync(1.5 * INTERVAL + 1)
    expect(roles.isPrincipal).toBe(true)
    expect(roles.term).toBe(1)
    // The lighter node saw our term 1 and claims 2 (we look misbehaving to it): deliberate.
    const deposed = { weight: 5, term: 2, principal: 'QmLight', principalWeight: 5, termAgeMs: 0 }
    node.deliver(
      'QmLight',
      'role-claim',
      encodeRoleClaim({ term: 2, principal: 'QmLight', weight: 5 }),
    )
    for (let i = 0; i < 5; i++) {
      node.deliver('QmLight', 'heartbeat', encodeHeartbeat(hb(deposed)))
      await vi.advanceTimersByTimeAsync(INTERVAL)
    }
    // Within the stabilisation period, with a young claim of a node ranked below: a fresh
    // node would claim 'formation'. This one has claimed before, so it follows.
    expect(roles.principal).toBe('QmLight')
    expect(roles.term).toBe(2)
    expect(node.sentOf('role-claim')).toHaveLength(1)
  })

  it('a fresh node that has not claimed still wins a formation race against a lighter, young principal', async () => {
    await start()
    await vi.advanceTimersByTimeAsync(10)
    const light = { weight: 5, term: 1, principal: 'QmLight', principalWeight: 5, termAgeMs: 0 }
    node.deliver(
      'QmLight',
      'role-claim',
      encodeRoleClaim({ term: 1, principal: 'QmLight', weight: 5 }),
    )
    node.deliver('QmLight', 'heartbeat', encodeHeartbeat(hb(light)))
    await vi.advanceTimersByTimeAsync(1.5 * INTERVAL + 1)
    node.deliver('QmLight', 'heartbeat', encodeHeartbeat(hb(light)))
    await vi.advanceTimersByTimeAsync(INTERVAL)
    expect(roles.principal).toBe('QmSelf')
    expect(roles.term).toBe(2)
  })

  it('a step sync answered by peers counts as hearing the mesh, one heartbeat round later', async () => {
    await start()
    node.safeDispatchEvent('step.synced', { detail: { step: 1, source: 'peers' } })
    await vi.advanceTimersByTimeAsync(1.5 * INTERVAL + 2)
    expect(roles.heardMesh).toBe(true)
    expect(roles.isPrincipal).toBe(true) // nobody else: no principal, it claims
  })

  it('refuses claims for another peer and malformed ones', async () => {
    const refused: ClaimRefusedDetail[] = []
    roles.addEventListener('roles.claim-refused', (e) => refused.push(e.detail))
    await start()
    node.deliver('QmA', 'role-claim', encodeRoleClaim({ term: 9, principal: 'QmB', weight: 1 }))
    node.deliver('QmA', 'role-claim', Buffer.from('{"term":"nine"}'))
    expect(refused.map((r) => r.reason)).toEqual(['not-sender', 'invalid'])
    expect(roles.term).toBe(0)
    expect(roles.stats().invalidClaims).toBe(2)
  })

  it('a claim whose term could not be written is not made', async () => {
    store.save = async () => {
      throw new Error('disk full')
    }
    await start()
    await vi.advanceTimersByTimeAsync(DEAD_PERIOD + 1)
    expect(node.sentOf('role-claim')).toEqual([])
    expect(roles.isPrincipal).toBe(false)
    expect(roles.stats().persistFailures).toBeGreaterThanOrEqual(1)
  })

  it('loads the persisted term, does not name itself principal from disk, and claims above it', async () => {
    setUp({
      version: 1,
      term: 41,
      principal: 'QmSelf',
      principalWeight: 10,
      roles: ['principal'],
      savedAt: 0,
    })
    await start()
    expect(roles.term).toBe(41)
    expect(roles.principal).toBeNull()
    await vi.advanceTimersByTimeAsync(DEAD_PERIOD + 1)
    expect(roles.term).toBe(42)
    expect(store.current?.term).toBe(42)
  })

  it('a restarted principal the mesh still names resumes its term without a new claim', async () => {
    setUp({
      version: 1,
      term: 41,
      principal: 'QmSelf',
      principalWeight: 10,
      roles: ['principal'],
      savedAt: 0,
    })
    await start()
    node.deliver(
      'QmPeer',
      'heartbeat',
      encodeHeartbeat(hb({ term: 41, principal: 'QmSelf', principalWeight: 10 })),
    )
    expect(roles.isPrincipal).toBe(true)
    expect(roles.term).toBe(41)
    await vi.advanceTimersByTimeAsync(10 * INTERVAL)
    expect(node.sentOf('role-claim')).toEqual([])
  })

  it('an ineligible principal steps down', async () => {
    await start()
    await vi.advanceTimersByTimeAsync(DEAD_PERIOD + 1)
    expect(roles.isPrincipal).toBe(true)
    roles.setEligible(false)
    expect(roles.principal).toBeNull()
    expect(roles.term).toBe(1)
    expect(membership.heartbeat()).toMatchObject({ principal: null, eligible: false })
    roles.setEligible(true)
    await vi.advanceTimersByTimeAsync(2 * INTERVAL)
    expect(roles.isPrincipal).toBe(true)
    expect(roles.term).toBe(2)
  })

  it('stop() leaves no timer and no listener, twice over', async () => {
    await start()
    node.deliver('QmPeer', 'heartbeat', encodeHeartbeat(hb()))
    await roles.stop()
    await roles.stop()
    await membership.stop()
    expect(vi.getTimerCount()).toBe(0)
    expect(node.listeners()).toBe(0)
    expect(
      ['members.heartbeat', 'members.status-changed', 'members.weight-changed'].map((t) =>
        membership.listenerCount(t),
      ),
    ).toEqual([0, 0, 0])
  })
})
