import { describe, expect, it } from 'vitest'
import {
  ReportFolder,
  takeOne,
  type DueReport,
} from '../../../src/observer/anomaly-reports/index.js'

const POLICY = { windowMs: 1000, ratePerSecond: 2, burst: 5, maxKeys: 100 }

describe('takeOne', () => {
  it.each([
    // tokens, at, now, rate, burst → ok, tokens after
    [5, 0, 0, 2, 5, true, 4],
    [0, 0, 0, 2, 5, false, 0],
    [0, 0, 499, 2, 5, false, 0.998],
    [0, 0, 500, 2, 5, true, 0],
    [0, 0, 60_000, 2, 5, true, 4], // refilled to the burst, not beyond
    [3, 1000, 500, 2, 5, true, 2], // a clock going back refills nothing
  ])(
    '%d tokens at %d, taken at %d (rate %d, burst %d): %s, %d left',
    (tokens, at, now, rate, burst, ok, left) => {
      const taken = takeOne({ tokens, at }, now, rate, burst)
      expect(taken.ok).toBe(ok)
      expect(taken.state.tokens).toBeCloseTo(left, 6)
    },
  )
})

describe('ReportFolder', () => {
  it('reports the first occurrence at once and folds the repeats of its window into the next', () => {
    const folder = new ReportFolder<string>(POLICY, 0)
    expect(folder.offer('PATTERN_MISMATCH', 'F', 'e1', 0)).toMatchObject({
      count: 1,
      evidence: 'e1',
    })
    for (let t = 10; t < 1000; t += 10)
      expect(folder.offer('PATTERN_MISMATCH', 'F', `e${t}`, t)).toBeUndefined()
    expect(folder.flush(999)).toEqual([])
    expect(folder.flush(1000)).toEqual([
      {
        kind: 'PATTERN_MISMATCH',
        offender: 'F',
        count: 99,
        firstAt: 10,
        lastAt: 990,
        evidence: 'e990',
      },
    ])
    // Nothing more to say: no report, and the quiet key is forgotten a window later.
    expect(folder.flush(2000)).toEqual([])
    expect(folder.offer('PATTERN_MISMATCH', 'F', 'again', 2500)).toMatchObject({ count: 1 })
  })

  it('keeps kinds and offenders apart', () => {
    const folder = new ReportFolder<string>(POLICY, 0)
    const due = [
      folder.offer('PATTERN_MISMATCH', 'F', 'a', 0),
      folder.offer('TAG_MISMATCH', 'F', 'b', 0),
      folder.offer('PATTERN_MISMATCH', 'G', 'c', 0),
      folder.offer('PATTERN_MISMATCH', 'F', 'd', 0),
    ]
    expect(due.map((d) => d?.evidence)).toEqual(['a', 'b', 'c', undefined])
  })

  it('turns a flood of 10k bad frames/s from 50 peers into a few reports a second, losing no count', () => {
    const folder = new ReportFolder<number>(POLICY, 0)
    const sent: Array<DueReport<number>> = []
    let offered = 0
    for (let t = 0; t < 5000; t++) {
      // 10 frames a ms, from 50 offenders in turn.
      for (let i = 0; i < 10; i++) {
        const due = folder.offer('TAG_MISMATCH', `peer${offered % 50}`, offered, t)
        offered++
        if (due !== undefined) sent.push(due)
      }
      if (t % POLICY.windowMs === 0) sent.push(...folder.flush(t))
    }
    // At most the burst plus the rate over 5 s.
    expect(sent.length).toBeLessThanOrEqual(POLICY.burst + 2 * 5)
    expect(sent.length).toBeGreaterThanOrEqual(POLICY.burst)
    // Draining afterwards: every occurrence is in some report's count.
    for (let t = 5000; t < 200_000; t += POLICY.windowMs) sent.push(...folder.flush(t))
    expect(sent.reduce((sum, d) => sum + d.count, 0)).toBe(offered)
    expect(folder.stats()).toMatchObject({ offered, evicted: 0 })
    expect(folder.stats().deferred).toBeGreaterThan(0)
  })

  it('counts the occurrences lost with an evicted key', () => {
    const folder = new ReportFolder<string>({ ...POLICY, maxKeys: 2, burst: 2 }, 0)
    expect(folder.offer('MALFORMED', 'A', 'e', 0)).toBeDefined()
    expect(folder.offer('MALFORMED', 'B', 'e', 0)).toBeDefined()
    expect(folder.offer('MALFORMED', 'A', 'e', 1)).toBeUndefined() // folded: 1 unsent
    // The bucket is empty: C waits (1 unsent), and takes the room of B (nothing unsent).
    expect(folder.offer('MALFORMED', 'C', 'e', 2)).toBeUndefined()
    expect(folder.stats().evicted).toBe(0)
    // D takes the room of A, the least recent, and A's unsent occurrence is lost, counted.
    expect(folder.offer('MALFORMED', 'D', 'e', 3)).toBeUndefined()
    expect(folder.stats()).toMatchObject({ evicted: 1, deferred: 2 })
  })
})
