import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { PAUSE_PROBE_MS } from '../../src/membership/constants.js'
import { PauseHold } from '../../src/membership/pause-hold.js'

const DEAD_PERIOD = 4000

describe('PauseHold', () => {
  let released: number
  let excused: number[]
  let hold: PauseHold

  beforeEach(() => {
    vi.useFakeTimers({ now: 1_000_000 })
    released = 0
    excused = []
    hold = new PauseHold({
      maxHoldMs: () => DEAD_PERIOD,
      released: () => released++,
      excuse: (ms) => excused.push(ms),
      now: () => Date.now(),
    })
  })

  afterEach(() => {
    hold.stop()
    vi.useRealTimers()
  })

  /** The process stalls `ms`: the clock moves, no timer fires meanwhile. */
  const stall = (ms: number): void => {
    vi.setSystemTime(Date.now() + ms)
  }

  it('a timer a little late is no pause', () => {
    hold.noteLag(80)
    expect(hold.holding(Date.now())).toBeUndefined()
    expect(hold.stats.holds).toBe(0)
  })

  it('holds after a pause and lets go once a probe fires on time', () => {
    hold.noteLag(3000)
    const now = Date.now()
    expect(hold.holding(now)).toBe(now + 3000)
    vi.advanceTimersByTime(PAUSE_PROBE_MS)
    expect(hold.holding(Date.now())).toBeUndefined()
    expect(released).toBe(1)
    expect(hold.stats).toEqual({ holds: 1, released: 1, excusedMs: 3000 })
  })

  it('keeps holding while the process is still late, up to the length of the pause', () => {
    hold.noteLag(1000)
    const end = Date.now() + 1000
    stall(400) // the probe fires 400 ms late: not caught up yet
    vi.advanceTimersByTime(PAUSE_PROBE_MS)
    expect(hold.holding(Date.now())).toBe(end)
    expect(released).toBe(0)
    vi.advanceTimersByTime(PAUSE_PROBE_MS) // on time now
    expect(hold.holding(Date.now())).toBeUndefined()
    expect(released).toBe(1)
  })

  it('never holds longer than a dead period', () => {
    hold.noteLag(60_000)
    const now = Date.now()
    expect(hold.holding(now)).toBe(now + DEAD_PERIOD)
  })

  it('a process late all the time gets no new hold for a dead period after one ran out', () => {
    hold.noteLag(1000)
    for (let i = 0; i < 10 && hold.holding(Date.now()) !== undefined; i++) {
      stall(300)
      vi.advanceTimersByTime(PAUSE_PROBE_MS)
    }
    expect(hold.holding(Date.now())).toBeUndefined()
    expect(released).toBe(0)
    hold.noteLag(1000)
    expect(hold.holding(Date.now())).toBeUndefined()
    stall(DEAD_PERIOD)
    hold.noteLag(1000)
    expect(hold.holding(Date.now())).toBe(Date.now() + 1000)
    expect(hold.stats.holds).toBe(2)
  })

  it('a pause after a hold that was let go holds again at once', () => {
    hold.noteLag(2000)
    vi.advanceTimersByTime(PAUSE_PROBE_MS)
    expect(released).toBe(1)
    hold.noteLag(2000)
    expect(hold.holding(Date.now())).toBe(Date.now() + 2000)
  })

  it('excuses each stretch of a pause once, whichever timers saw it late', () => {
    hold.noteLag(3000)
    // Another timer, due in the middle of the same pause, fires late by 1,500 ms: nothing new.
    hold.noteLag(1500)
    stall(2000)
    // A later pause: only its own time, even when its timer was due before the first ended.
    hold.noteLag(2500)
    expect(excused).toEqual([3000, 2000])
    expect(hold.stats.excusedMs).toBe(5000)
    hold.noteLag(80)
    expect(excused).toHaveLength(2)
  })

  it('stop ends the hold and leaves no timer behind', () => {
    hold.noteLag(2000)
    expect(vi.getTimerCount()).toBe(1)
    hold.stop()
    expect(vi.getTimerCount()).toBe(0)
    expect(hold.holding(Date.now())).toBeUndefined()
    vi.advanceTimersByTime(PAUSE_PROBE_MS * 4)
    expect(released).toBe(0)
  })
})
