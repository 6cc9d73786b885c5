import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { StepClock, type StepChangeDetail } from '../../src/sync/step-clock.js'

const INTERVAL = 1000
let clocks: StepClock[] = []
/** Time the event loop spent stalled: the wall clock is this far ahead of the fake timers. */
let stalledMs = 0
const wallClock = (): number => Date.now() + stalledMs

beforeEach(() => {
  vi.useFakeTimers({ now: 5_000_250 })
  stalledMs = 0
})
afterEach(() => {
  for (const clock of clocks) clock.stop()
  clocks = []
  vi.useRealTimers()
})

function startedClock(init: { initialStep?: number } = {}): {
  clock: StepClock
  changes: StepChangeDetail[]
} {
  const clock = new StepClock({ intervalMs: INTERVAL, now: wallClock, ...init })
  const changes: StepChangeDetail[] = []
  clock.addEventListener('step.changed', (event) => changes.push(event.detail))
  clocks.push(clock)
  clock.start()
  return { clock, changes }
}

/** A blocked event loop: the wall clock moves on, no timer runs until the loop is back. */
function stall(ms: number): void {
  stalledMs += ms
}

describe('StepClock', () => {
  it('starts on the wall-clock step and ticks on each interval boundary of the wall clock', () => {
    const { clock, changes } = startedClock()
    expect(clock.step).toBe(5000)
    vi.advanceTimersByTime(749)
    expect(clock.step).toBe(5000)
    vi.advanceTimersByTime(1)
    expect(clock.step).toBe(5001)
    vi.advanceTimersByTime(3000)
    expect(clock.step).toBe(5004)
    expect(changes.map((c) => [c.previous, c.step, c.reason])).toEqual([
      [5000, 5001, 'tick'],
      [5001, 5002, 'tick'],
      [5002, 5003, 'tick'],
      [5003, 5004, 'tick'],
    ])
  })

  it('catches up after a stalled event loop instead of drifting behind the wall clock', () => {
    const { clock, changes } = startedClock()
    stall(3_600)
    // The tick due at 5_001_000 runs 3.6 s late: four boundaries passed, counted in one tick.
    vi.advanceTimersByTime(750)
    expect(clock.step).toBe(5004)
    expect(changes).toEqual([{ previous: 5000, step: 5004, reason: 'tick' }])
    // And the next tick is back on the boundary (5_005_000), not an interval after the late one.
    vi.advanceTimersByTime(399)
    expect(clock.step).toBe(5004)
    vi.advanceTimersByTime(1)
    expect(clock.step).toBe(5005)
  })

  it('two clocks started apart, one of them stalled, are on the same step', () => {
    const { clock: early } = startedClock()
    vi.advanceTimersByTime(2_400)
    stall(900)
    const { clock: late } = startedClock()
    vi.advanceTimersByTime(400)
    expect(early.step).toBe(5003)
    expect(late.step).toBe(early.step)
    for (let i = 0; i < 10; i++) {
      vi.advanceTimersByTime(500)
      expect(late.step).toBe(early.step)
    }
  })

  it('catches up at start with the boundaries passed since it was made', () => {
    const clock = new StepClock({ intervalMs: INTERVAL, now: wallClock })
    clocks.push(clock)
    stall(2_000)
    clock.start()
    expect(clock.step).toBe(5002)
  })

  it('moves forward to a synced step and keeps ticking from there; never backwards', () => {
    const { clock, changes } = startedClock()
    expect(clock.advanceTo(5_100)).toBe(true)
    expect(clock.advanceTo(5_050)).toBe(false)
    expect(clock.advanceTo(5_100)).toBe(false)
    expect(clock.advanceTo(Number.NaN)).toBe(false)
    vi.advanceTimersByTime(750)
    expect(clock.step).toBe(5_101)
    expect(changes.map((c) => c.reason)).toEqual(['sync', 'tick'])
  })

  it('a hold skips one tick only, stalled or not', () => {
    const { clock } = startedClock()
    clock.hold()
    vi.advanceTimersByTime(750)
    expect(clock.step).toBe(5000)
    vi.advanceTimersByTime(1000)
    expect(clock.step).toBe(5001)
    clock.hold()
    stall(2_000)
    // Three boundaries passed by the late tick: one skipped, two counted.
    vi.advanceTimersByTime(1000)
    expect(clock.step).toBe(5003)
  })

  it('a hold is cancelled by a sync', () => {
    const { clock } = startedClock()
    clock.hold()
    clock.advanceTo(5_010)
    vi.advanceTimersByTime(750)
    expect(clock.step).toBe(5_011)
  })

  it('adopts a step forward or back (the join sync), and ticks on from it', () => {
    const { clock, changes } = startedClock()
    clock.hold()
    expect(clock.adopt(4_000)).toBe(true)
    expect(clock.adopt(4_000)).toBe(false)
    expect(clock.adopt(-1)).toBe(false)
    expect(clock.adopt(1.5)).toBe(false)
    vi.advanceTimersByTime(750)
    expect(clock.step).toBe(4_001)
    expect(changes.map((c) => [c.previous, c.step, c.reason])).toEqual([
      [5000, 4000, 'sync'],
      [4000, 4001, 'tick'],
    ])
  })

  it('starts from initialStep when given, and keeps the wall-clock boundaries', () => {
    const { clock } = startedClock({ initialStep: 7 })
    expect(clock.step).toBe(7)
    vi.advanceTimersByTime(750)
    expect(clock.step).toBe(8)
  })

  it('a new interval ticks on its own boundaries without jumping the step', () => {
    const { clock } = startedClock()
    clock.setIntervalMs(100)
    expect(clock.step).toBe(5000)
    expect(clock.interval).toBe(100)
    vi.advanceTimersByTime(50)
    expect(clock.step).toBe(5001)
    vi.advanceTimersByTime(1000)
    expect(clock.step).toBe(5011)
  })

  it('stop leaves no timer behind', () => {
    const { clock } = startedClock()
    clock.stop()
    expect(vi.getTimerCount()).toBe(0)
    vi.advanceTimersByTime(5000)
    expect(clock.step).toBe(5000)
  })

  it('reads the wall clock through a monotonic timer by default', () => {
    vi.useRealTimers()
    const clock = new StepClock({ intervalMs: 1000 })
    expect(Math.abs(clock.step - Math.floor(Date.now() / 1000))).toBeLessThanOrEqual(1)
  })
})
