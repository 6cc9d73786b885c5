import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { every } from '../../src/sim/attackers/attackers.js'

beforeEach(() => {
  vi.useFakeTimers({ now: 1_000_000 })
})
afterEach(() => {
  vi.useRealTimers()
})

describe('attack pacing', () => {
  it('makes rate × duration calls, spread over the duration, then stops', () => {
    let calls = 0
    every(5, 2000, () => calls++)
    vi.advanceTimersByTime(1000)
    expect(calls).toBeGreaterThanOrEqual(5)
    expect(calls).toBeLessThanOrEqual(6)
    vi.advanceTimersByTime(1100)
    expect(calls).toBe(10)
    expect(vi.getTimerCount()).toBe(0)
  })

  it('a stall longer than the attack delays its calls but does not skip them', () => {
    let calls = 0
    every(5, 2000, () => calls++)
    vi.setSystemTime(Date.now() + 5000)
    vi.advanceTimersByTime(10)
    expect(calls).toBe(10)
    expect(vi.getTimerCount()).toBe(0)
  })

  it('stop() ends it early and leaves no timer', () => {
    let calls = 0
    const stop = every(5, 2000, () => calls++)
    vi.advanceTimersByTime(500)
    stop()
    const made = calls
    vi.advanceTimersByTime(5000)
    expect(calls).toBe(made)
    expect(vi.getTimerCount()).toBe(0)
  })
})
