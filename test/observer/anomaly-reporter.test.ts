/** Folding of anomalies: the pure rule, and witnesses and sources merged in the open record. */
import { describe, expect, it } from 'vitest'
import {
  AnomalyReporter,
  MAX_WITNESSES,
  foldDecision,
  foldInto,
  type Anomaly,
} from '../../src/observer/index.js'

describe('foldDecision', () => {
  it.each([
    ['no open record', undefined, 5000, 'open'],
    ['inside the window', { at: 1000, witnesses: [] }, 1999, 'fold'],
    ['at the window end', { at: 1000, witnesses: [] }, 2000, 'open'],
    ['long after', { at: 1000, witnesses: [] }, 9000, 'open'],
    ['before the record (a clock gone back)', { at: 1000, witnesses: [] }, 900, 'open'],
  ] as const)('%s: %s', (_what, open, at, decision) => {
    expect(
      foldDecision(open === undefined ? undefined : { ...open, witnesses: [] }, at, 1000),
    ).toBe(decision)
  })

  it('adds counts and new witnesses, up to MAX_WITNESSES', () => {
    const open = { at: 0, count: 1, witnesses: ['a'] }
    expect(foldInto(open, 3, 'a')).toBe(false)
    expect(foldInto(open, 1, 'b')).toBe(true)
    expect(open).toEqual({ at: 0, count: 5, witnesses: ['a', 'b'] })
    for (let i = 0; i < 100; i++) foldInto(open, 1, `w${i}`)
    expect(open.witnesses).toHaveLength(MAX_WITNESSES)
    expect(open.count).toBe(105)
  })
})

describe('AnomalyReporter', () => {
  function reporter(): { reporter: AnomalyReporter; recorded: Anomaly[] } {
    const recorded: Anomaly[] = []
    return {
      recorded,
      reporter: new AnomalyReporter({
        self: () => 'me',
        capacity: 10,
        maxPeers: 10,
        coalesceMs: 1000,
        onRecord: (a) => recorded.push(a),
      }),
    }
  }
  const base = { kind: 'PATTERN_MISMATCH', peerId: 'F', step: 1, detail: 'd' } as const

  it('merges reports into a local record: witnesses grow, the source stays local', () => {
    const { reporter: r, recorded } = reporter()
    r.record({ ...base, at: 0 })
    r.record({ ...base, at: 10, source: 'reported', witness: 'm1', count: 7, chargeOnce: true })
    r.record({ ...base, at: 20, source: 'reported', witness: 'm2' })
    expect(recorded).toHaveLength(1) // one record announced
    expect(r.list()[0]).toMatchObject({ count: 9, witnesses: ['me', 'm1', 'm2'], source: 'local' })
    // 3 critical points for the local frame, 3 once for the folded report of 7, 3 for the last.
    expect(r.appScore('F', 20)).toBeCloseTo(-9, 3)
  })

  it('a reported record becomes local once this node sees it too', () => {
    const { reporter: r } = reporter()
    r.record({ ...base, at: 0, source: 'reported', witness: 'm1' })
    expect(r.list()[0]).toMatchObject({ source: 'reported', witnesses: ['m1'] })
    r.record({ ...base, at: 5 })
    expect(r.list()[0]).toMatchObject({ source: 'local', witnesses: ['m1', 'me'] })
  })

  it('remembers the last frame kind per peer (graylisted drops fold into it)', () => {
    const { reporter: r } = reporter()
    expect(r.lastFrameKind('F')).toBeUndefined()
    r.record({ ...base, at: 0 })
    r.record({ ...base, kind: 'STEP_DIVERGENCE', at: 1 })
    expect(r.lastFrameKind('F')).toBe('PATTERN_MISMATCH')
    expect(r.totalsByKind()).toEqual({ PATTERN_MISMATCH: 1, STEP_DIVERGENCE: 1 })
  })
})
