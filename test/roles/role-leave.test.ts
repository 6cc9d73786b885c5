/**
 * Roles when members leave (issue 12.4: a leaving principal hands its term over) and when the
 * mesh has moved past this principal's term (issue 12.8). RoleManager over a stub node and a
 * real Membership, with fake timers.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import {
  Membership,
  decodeHeartbeat,
  encodeHeartbeat,
  type HeartbeatPayload,
} from '../../src/membership/index.js'
import {
  MemoryRoleStateStore,
  RoleManager,
  decodeRoleClaim,
  type PersistedRoleState,
  type PrincipalChangedDetail,
} from '../../src/roles/index.js'
import { StubNode, coreOf } from '../helpers/stub-node.js'
import { heartbeatPayload } from '../helpers/heartbeats.js'

const INTERVAL = 100
const DEAD_PERIOD = 4 * INTERVAL

function hb(changes: Partial<HeartbeatPayload> = {}): HeartbeatPayload {
  return heartbeatPayload({ version: '', ...changes })
}

let node: StubNode
let membership: Membership
let roles: RoleManager

async function start(weight: number, persisted?: PersistedRoleState): Promise<void> {
  node = new StubNode('QmSelf', {
    heartbeatIntervalMs: INTERVAL,
    suspectAfter: 2,
    deadAfter: 4,
    weight,
  })
  membership = new Membership(coreOf(node), { random: () => 0 })
  roles = new RoleManager({
    ...coreOf(node),
    membership,
    store: new MemoryRoleStateStore(persisted),
  })
  await membership.start()
  await roles.start()
}

beforeEach(() => {
  vi.useFakeTimers({ now: 5_000_000 })
})

afterEach(async () => {
  await roles.stop()
  await membership.stop()
  vi.useRealTimers()
})

describe('leaving principal', () => {
  it('hands its term to the next heaviest eligible alive member in its leaving heartbeat', async () => {
    await start(10)
    node.deliver('QmA', 'heartbeat', encodeHeartbeat(hb({ weight: 8 })))
    node.deliver('QmB', 'heartbeat', encodeHeartbeat(hb({ weight: 9, eligible: false })))
    node.deliver('QmC', 'heartbeat', encodeHeartbeat(hb({ weight: 5 })))
    await vi.advanceTimersByTimeAsync(2 * INTERVAL)
    expect(roles.isPrincipal).toBe(true)
    const term = roles.term
    const changes: PrincipalChangedDetail[] = []
    roles.addEventListener('roles.principal-changed', (e) => changes.push(e.detail))
    await membership.leave(1000)
    expect(decodeHeartbeat(node.sentOf('heartbeat').at(-1)!)).toEqual({
      ok: true,
      value: expect.objectContaining({
        status: 'leaving',
        term: term + 1,
        principal: 'QmA',
        principalWeight: 8,
        termAgeMs: 0,
        eligible: false,
      }),
    })
    expect(changes).toEqual([
      expect.objectContaining({ principal: 'QmA', term: term + 1, cause: 'handed-over' }),
    ])
    expect(roles.stats().handOvers).toBe(1)
    // Nothing more to claim: it is leaving.
    await vi.advanceTimersByTimeAsync(10 * INTERVAL)
    expect(node.sentOf('role-claim')).toHaveLength(1)
  })

  it('with no one to take over, steps down: the leaving heartbeat names no principal', async () => {
    await start(10)
    await vi.advanceTimersByTimeAsync(DEAD_PERIOD + 1)
    expect(roles.isPrincipal).toBe(true)
    await membership.leave(1000)
    expect(decodeHeartbeat(node.sentOf('heartbeat').at(-1)!)).toMatchObject({
      ok: true,
      value: { status: 'leaving', principal: null },
    })
  })
})

describe('members of a leaving principal', () => {
  async function following(): Promise<void> {
    await start(5)
    const principal = hb({ weight: 10, term: 3, principal: 'QmP', principalWeight: 10 })
    node.deliver('QmP', 'heartbeat', encodeHeartbeat(principal))
    node.deliver('QmA', 'heartbeat', encodeHeartbeat(hb({ weight: 8, term: 3, principal: 'QmP' })))
    await vi.advanceTimersByTimeAsync(2 * INTERVAL)
    expect(roles.principal).toBe('QmP')
  }

  it('follow the successor its leaving heartbeat names, at once, with no claim of their own', async () => {
    await following()
    const leaving = hb({
      status: 'leaving',
      weight: 10,
      eligible: false,
      term: 4,
      principal: 'QmA',
      principalWeight: 8,
    })
    node.deliver('QmP', 'heartbeat', encodeHeartbeat(leaving))
    expect(roles.principal).toBe('QmA')
    expect(roles.term).toBe(4)
    expect(membership.member('QmP')?.status).toBe('left')
    const successor = hb({ weight: 8, term: 4, principal: 'QmA', principalWeight: 8 })
    for (let i = 0; i < 10; i++) {
      node.deliver('QmA', 'heartbeat', encodeHeartbeat(successor))
      await vi.advanceTimersByTimeAsync(INTERVAL)
    }
    expect(roles.principal).toBe('QmA')
    expect(node.sentOf('role-claim')).toEqual([])
  })

  it('the named successor becomes principal at once', async () => {
    await following()
    const leaving = hb({
      status: 'leaving',
      weight: 10,
      eligible: false,
      term: 4,
      principal: 'QmSelf',
      principalWeight: 5,
    })
    node.deliver('QmP', 'heartbeat', encodeHeartbeat(leaving))
    expect(roles.isPrincipal).toBe(true)
    expect(roles.term).toBe(4)
    expect(membership.heartbeat()).toMatchObject({
      term: 4,
      principal: 'QmSelf',
      roles: ['principal'],
    })
  })

  it('a principal that leaves without handing over is replaced without the suspicion wait', async () => {
    await following()
    node.deliver(
      'QmP',
      'heartbeat',
      encodeHeartbeat(
        hb({ status: 'leaving', weight: 10, eligible: false, term: 3, principal: null }),
      ),
    )
    // QmA (8) is the expected principal now: it claims, we do not; QmP is gone at once.
    expect(membership.member('QmP')?.status).toBe('left')
    node.deliver('QmA', 'heartbeat', encodeHeartbeat(hb({ weight: 8, term: 3, principal: 'QmP' })))
    expect(roles.principal).toBe('QmP')
    await start(9)
    const principal = hb({ weight: 10, term: 3, principal: 'QmP', principalWeight: 10 })
    node.deliver('QmP', 'heartbeat', encodeHeartbeat(principal))
    await vi.advanceTimersByTimeAsync(2 * INTERVAL)
    node.deliver(
      'QmP',
      'heartbeat',
      encodeHeartbeat(
        hb({ status: 'leaving', weight: 10, eligible: false, term: 3, principal: null }),
      ),
    )
    // Next heaviest: claims at the next evaluation, well within one interval.
    await vi.advanceTimersByTimeAsync(1)
    expect(roles.isPrincipal).toBe(true)
    expect(roles.term).toBe(4)
  })
})

describe('a principal the mesh has moved past (issue 12.8)', () => {
  it('a restarted node that claimed a stale term does not keep it: it claims above the mesh', async () => {
    // Restarted: its file says it was principal at term 1 (it never resumes that from disk).
    await start(10, {
      version: 1,
      term: 1,
      principal: 'QmSelf',
      principalWeight: 10,
      roles: ['principal'],
      savedAt: 0,
    })
    node.deliver('QmA', 'heartbeat', encodeHeartbeat(hb({ weight: 8, term: 1 })))
    await vi.advanceTimersByTimeAsync(2 * INTERVAL)
    // Heard nothing better: it claims term 2 and names itself.
    expect(roles.isPrincipal).toBe(true)
    expect(roles.term).toBe(2)
    // QmA falls silent in our view (dead here), while the rest of the mesh, which failed over
    // to QmA while we were down, follows it at term 3: their heartbeats say so.
    await vi.advanceTimersByTimeAsync(DEAD_PERIOD + INTERVAL)
    expect(membership.member('QmA')?.status).toBe('dead')
    const relay = hb({ weight: 5, term: 3, principal: 'QmA', principalWeight: 8 })
    for (let i = 0; i < 3; i++) {
      node.deliver('QmB', 'heartbeat', encodeHeartbeat(relay))
      await vi.advanceTimersByTimeAsync(INTERVAL)
    }
    // It refuses their claim (QmA is dead here) but must not stay principal at a term the mesh
    // has moved past: it claims above it, which the mesh adopts, so one principal remains.
    expect(roles.isPrincipal).toBe(true)
    expect(roles.term).toBe(4)
    const claims = node.sentOf('role-claim').map((data) => decodeRoleClaim(data))
    expect(claims.at(-1)).toEqual({ ok: true, value: { term: 4, principal: 'QmSelf', weight: 10 } })
    expect(membership.heartbeat()).toMatchObject({ term: 4, principal: 'QmSelf' })
  })

  it('a restarted node whose claim at a colliding term the mesh refuses claims above it', async () => {
    await start(10, {
      version: 1,
      term: 1,
      principal: 'QmSelf',
      principalWeight: 10,
      roles: ['principal'],
      savedAt: 0,
    })
    // Alone (its connections are not up yet): it claims term 2 after a whole dead period.
    await vi.advanceTimersByTimeAsync(DEAD_PERIOD + 1)
    expect(roles.isPrincipal).toBe(true)
    expect(roles.term).toBe(2)
    // Meanwhile the mesh failed over to QmA at term 2 too. Its claim loses to ours by weight,
    // but ours never reaches them (or they refuse it): every member keeps naming QmA.
    const mesh = { term: 2, principal: 'QmA', principalWeight: 8 }
    for (let i = 0; i < 8; i++) {
      node.deliver('QmA', 'heartbeat', encodeHeartbeat(hb({ weight: 8, ...mesh })))
      node.deliver('QmB', 'heartbeat', encodeHeartbeat(hb({ weight: 5, ...mesh })))
      await vi.advanceTimersByTimeAsync(INTERVAL)
    }
    // Not naming itself at term 2 alone any more: a new term, which the mesh adopts.
    expect(roles.isPrincipal).toBe(true)
    expect(roles.term).toBe(3)
    const claims = node.sentOf('role-claim').map((data) => decodeRoleClaim(data))
    expect(claims.at(-1)).toEqual({ ok: true, value: { term: 3, principal: 'QmSelf', weight: 10 } })
  })

  it('keeps its claim while one present member names it', async () => {
    await start(10)
    await vi.advanceTimersByTimeAsync(DEAD_PERIOD + 1)
    expect(roles.isPrincipal).toBe(true)
    const mesh = { term: 1, principal: 'QmA', principalWeight: 8 }
    for (let i = 0; i < 8; i++) {
      node.deliver('QmA', 'heartbeat', encodeHeartbeat(hb({ weight: 8, ...mesh })))
      node.deliver(
        'QmB',
        'heartbeat',
        encodeHeartbeat(hb({ weight: 5, term: 1, principal: 'QmSelf', principalWeight: 10 })),
      )
      await vi.advanceTimersByTimeAsync(INTERVAL)
    }
    expect(roles.isPrincipal).toBe(true)
  })

  it('steps down instead when another member should be principal', async () => {
    await start(5)
    node.deliver('QmA', 'heartbeat', encodeHeartbeat(hb({ weight: 1 })))
    await vi.advanceTimersByTimeAsync(2 * INTERVAL)
    expect(roles.isPrincipal).toBe(true)
    // The mesh follows QmH at a higher term, ineligible in our view (inactive), and a heavier
    // member than us, QmE, is there: it is the one to claim above QmH, not us.
    const claimed = { term: 5, principal: 'QmH', principalWeight: 9 }
    node.deliver(
      'QmH',
      'heartbeat',
      encodeHeartbeat(hb({ weight: 9, status: 'inactive', ...claimed })),
    )
    node.deliver('QmE', 'heartbeat', encodeHeartbeat(hb({ weight: 7, ...claimed })))
    expect(roles.isPrincipal).toBe(true)
    await vi.advanceTimersByTimeAsync(2 * INTERVAL)
    expect(roles.isPrincipal).toBe(false)
    expect(roles.principal).toBeNull()
  })
})
