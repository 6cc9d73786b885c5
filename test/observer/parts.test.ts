import { describe, expect, it } from 'vitest'
import {
  ANOMALY_KINDS,
  AnomalyStore,
  PenaltyLedger,
  RateWindow,
  anomalyKindOfVerdict,
  decayedPoints,
  networkHealth,
  type Anomaly,
} from '../../src/observer/index.js'
import { VERDICT_CODES } from '../../src/protocol/index.js'

const anomaly = (i: number, kind: Anomaly['kind'] = 'REPLAY', peerId = 'p'): Anomaly => ({
  id: String(i),
  kind,
  severity: 'critical',
  peerId,
  step: i,
  at: i,
  detail: '',
})

describe('anomalyKindOfVerdict', () => {
  it.each([
    ['accept', 'ACCEPTED', undefined],
    ['ignore', 'SELF', undefined],
    ['ignore', 'STEP_SKEW', undefined], // near skew at a step boundary: benign
    ['ignore', 'MALFORMED', undefined], // a foreign topic
    ['reject', 'STEP_SKEW', 'STEP_SKEW'],
    ['reject', 'REPLAY', 'REPLAY'],
    ['reject', 'PATTERN_MISMATCH', 'PATTERN_MISMATCH'],
  ] as const)('%s %s → %s', (verdict, code, kind) => {
    expect(anomalyKindOfVerdict(verdict, code)).toBe(kind)
  })

  it('maps every rejecting verdict code to an anomaly kind of the same name', () => {
    for (const code of VERDICT_CODES) {
      if (code === 'ACCEPTED' || code === 'SELF') continue
      expect(ANOMALY_KINDS).toContain(anomalyKindOfVerdict('reject', code))
    }
  })
})

describe('AnomalyStore', () => {
  it('keeps the newest, counts what it drops, and filters newest first', () => {
    const store = new AnomalyStore(3)
    for (let i = 1; i <= 5; i++)
      store.push(anomaly(i, i % 2 === 0 ? 'REPLAY' : 'FLOOD', `p${i % 2}`))
    expect(store.list().map((a) => a.id)).toEqual(['5', '4', '3'])
    expect(store.stats()).toEqual({ stored: 3, capacity: 3, dropped: 2 })
    expect(store.list({ kinds: new Set(['FLOOD']) }).map((a) => a.id)).toEqual(['5', '3'])
    expect(store.list({ peerId: 'p0' }).map((a) => a.id)).toEqual(['4'])
    expect(store.list({ limit: 1 }).map((a) => a.id)).toEqual(['5'])
    expect(store.countByKind()).toEqual({ FLOOD: 2, REPLAY: 1 })
  })

  it('refuses a capacity that is not a positive integer', () => {
    expect(() => new AnomalyStore(0)).toThrow(RangeError)
  })
})

describe('networkHealth', () => {
  it.each([
    [{ alive: 4, known: 4, accepted: 100, rejected: 0, splitBrainRecent: false }, 1],
    [{ alive: 3, known: 4, accepted: 100, rejected: 0, splitBrainRecent: false }, 0.75],
    [{ alive: 4, known: 4, accepted: 90, rejected: 10, splitBrainRecent: false }, 0.9],
    [{ alive: 4, known: 4, accepted: 0, rejected: 0, splitBrainRecent: true }, 0.5],
    [{ alive: 1, known: 1, accepted: 0, rejected: 0, splitBrainRecent: false }, 1],
    [{ alive: 2, known: 4, accepted: 0, rejected: 10, splitBrainRecent: false }, 0],
  ])('%o → %d', (inputs, expected) => {
    expect(networkHealth(inputs)).toBe(expected)
  })
})

describe('RateWindow', () => {
  it('counts per second over the window and forgets the past', () => {
    const window = new RateWindow(10)
    for (let i = 0; i < 20; i++) window.add(1000 + i * 100, 4) // 10/s for 2 s
    expect(window.totals(3000)).toEqual({ count: 20, sum: 80 })
    expect(window.rate(3000)).toBe(2)
    expect(window.mean(3000)).toBe(4)
    expect(window.totals(13_000).count).toBe(0)
    expect(window.mean(13_000)).toBeNull()
  })
})

describe('application score', () => {
  it('halves penalty points every half-life', () => {
    expect(decayedPoints(8, 0, 1000)).toBe(8)
    expect(decayedPoints(8, 1000, 1000)).toBe(4)
    expect(decayedPoints(8, 3000, 1000)).toBe(1)
  })

  it('adds points per peer and scores them negative', () => {
    const ledger = new PenaltyLedger({ halfLifeMs: 1000, maxPeers: 2 })
    ledger.add('a', 3, 0)
    ledger.add('a', 3, 1000)
    expect(ledger.score('a', 1000)).toBe(-4.5)
    expect(ledger.score('b', 1000)).toBe(0)
  })
})
