import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { every } from '../../src/sim/attackers/attackers.js'
import { settleActions } from '../../src/sim/formation.js'

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

  it('makes its first call at once, so an attack stopped at once still sent', () => {
    let calls = 0
    const stop = every(5, 2000, () => calls++)
    stop()
    expect(calls).toBe(1)
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

describe('settleActions', () => {
  it('waits for the actions under way, and no longer', async () => {
    let done = false
    const action = new Promise<void>((resolve) => setTimeout(resolve, 300)).then(() => {
      done = true
    })
    const settled = settleActions(new Set([action]), 5000)
    await vi.advanceTimersByTimeAsync(300)
    await settled
    expect(done).toBe(true)
    expect(vi.getTimerCount()).toBe(0)
  })

  it('gives up after maxMs on an action that never ends, leaving no timer', async () => {
    let settled = false
    const waiting = settleActions(new Set([new Promise<void>(() => undefined)]), 1000).then(
      () => (settled = true),
    )
    await vi.advanceTimersByTimeAsync(999)
    expect(settled).toBe(false)
    await vi.advanceTimersByTimeAsync(1)
    await waiting
    expect(settled).toBe(true)
    expect(vi.getTimerCount()).toBe(0)
  })
})
