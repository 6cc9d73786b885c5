/**
 * A dead member's heartbeat that arrives late (a receiver's backlog, a slow path) does not
 * bring it back: its step says it was sent when the member was already as good as dead.
 */
import { TypedEventEmitter } from 'main-event'
import { describe, expect, it } from 'vitest'
import { DEFAULT_CONFIG } from '../../src/config/index.js'
import { encodeHeartbeat, MemberTable, type MembershipEvents } from '../../src/membership/index.js'
import { MemberIntake } from '../../src/membership/member-intake.js'
import { heartbeatPayload } from '../helpers/heartbeats.js'

const STEP_MS = 1000
const timing = { heartbeatIntervalMs: 100, suspectAfter: 3, deadAfter: 5 }
const PEER = '12D3KooWPeer'

function setup() {
  const table = new MemberTable()
  const clock = { step: 100 }
  const intake = new MemberIntake({
    table,
    events: new TypedEventEmitter<MembershipEvents>(),
    selfId: () => 'self',
    localStep: () => clock.step,
    config: () => ({ ...DEFAULT_CONFIG, stepIntervalMs: STEP_MS }),
    timing: () => timing,
    flapping: undefined,
    rearm: () => undefined,
  })
  let seq = 0
  const heartbeat = (step: number, receivedAt: number) =>
    intake.heartbeat({
      id: `hb${++seq}`,
      from: PEER,
      receivedAt,
      envelope: {
        v: 1,
        kind: 'heartbeat',
        senderId: PEER,
        globalStep: step,
        seq,
        patternValue: 0,
        timestamp: receivedAt,
        data: encodeHeartbeat(heartbeatPayload({ intervalMs: timing.heartbeatIntervalMs })),
      },
    })
  return { table, clock, intake, heartbeat }
}

describe('a late heartbeat', () => {
  it('of a dead member, from steps ago, leaves it dead (counted)', () => {
    const { table, clock, intake, heartbeat } = setup()
    expect(heartbeat(100, 0)).toEqual({ verdict: 'accept' })
    clock.step = 110
    intake.refresh(10_000, 60_000)
    expect(table.get(PEER)?.status).toBe('dead')
    // Sent at step 100, received at step 110: accepted (it may carry the step) but no sign of life.
    expect(heartbeat(100, 10_000)).toEqual({ verdict: 'accept' })
    expect(table.get(PEER)?.status).toBe('dead')
    expect(intake.counters.lateHeartbeats).toBe(1)
    // Back for real: a heartbeat of the current step.
    heartbeat(110, 10_050)
    expect(table.get(PEER)?.status).toBe('alive')
  })

  it.each([
    ['one step behind (a boundary)', 109],
    ['at the current step', 110],
  ])('%s brings a dead member back', (_what, step) => {
    const { table, clock, intake, heartbeat } = setup()
    heartbeat(100, 0)
    clock.step = 110
    intake.refresh(10_000, 60_000)
    heartbeat(step, 10_000)
    expect(table.get(PEER)?.status).toBe('alive')
    expect(intake.counters.lateHeartbeats).toBe(0)
  })

  it('of a living member still counts as heard (a late heartbeat never makes one dead)', () => {
    const { table, clock, heartbeat } = setup()
    heartbeat(100, 0)
    clock.step = 103
    heartbeat(100, 300)
    expect(table.get(PEER)).toMatchObject({ status: 'alive', lastSeen: 300 })
  })
})
