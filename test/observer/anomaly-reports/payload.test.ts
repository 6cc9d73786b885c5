import { describe, expect, it } from 'vitest'
import {
  confirms,
  decodeReport,
  encodeReport,
  isProvable,
  type ReportPayload,
} from '../../../src/observer/anomaly-reports/index.js'

const REPORT: ReportPayload = {
  v: 1,
  kind: 'PATTERN_MISMATCH',
  offender: '12D3KooWForger',
  count: 3,
  firstAt: 1000,
  lastAt: 1900,
  evidence: { from: '12D3KooWForger', seqno: '00', topic: 't', data: '', signature: '' },
}

const json = (value: unknown): Uint8Array => Buffer.from(JSON.stringify(value))

describe('anomaly report payload', () => {
  it('round-trips', () => {
    expect(decodeReport(encodeReport(REPORT))).toEqual({ ok: true, report: REPORT })
  })

  it.each([
    ['not JSON', Buffer.from('{nope'), /not JSON/],
    ['not an object', json([1]), /report is not an object/],
    ['another version', json({ ...REPORT, v: 2 }), /unknown report version 2/],
    [
      'a kind one frame cannot prove',
      json({ ...REPORT, kind: 'STEP_SKEW' }),
      /STEP_SKEW is not a reportable code/,
    ],
    ['a REPLAY', json({ ...REPORT, kind: 'REPLAY' }), /REPLAY is not a reportable code/],
    ['no offender', json({ ...REPORT, offender: '' }), /offender is not a peer id string/],
    ['a zero count', json({ ...REPORT, count: 0 }), /count must be an integer in 1…1000000/],
    ['a huge count', json({ ...REPORT, count: 1e9 }), /count must be/],
    ['a fractional count', json({ ...REPORT, count: 1.5 }), /count must be/],
    ['times out of order', json({ ...REPORT, firstAt: 2000 }), /firstAt ≤ lastAt/],
    ['no evidence', json({ ...REPORT, evidence: null }), /evidence is missing/],
    [
      'evidence without data',
      json({ ...REPORT, evidence: { ...REPORT.evidence, data: 1 } }),
      /evidence.data must be a string/,
    ],
    [
      'a numeric key',
      json({ ...REPORT, evidence: { ...REPORT.evidence, key: 1 } }),
      /evidence.key must be a string/,
    ],
    [
      'evidence signed by another than the offender',
      json({ ...REPORT, offender: '12D3KooWHonest' }),
      /offender is not the signer of the evidence/,
    ],
    ['too many bytes', Buffer.alloc(61 * 1024, 0x20), /exceeds/],
  ])('refuses %s, saying why', (_what, bytes, why) => {
    const decoded = decodeReport(bytes)
    expect(decoded.ok).toBe(false)
    expect(decoded.ok ? '' : decoded.detail).toMatch(why)
  })
})

describe('provable codes', () => {
  it.each([
    ['MALFORMED', true],
    ['OVERSIZE', false],
    ['PATTERN_MISMATCH', true],
    ['TAG_MISMATCH', true],
    ['UNKNOWN_SENDER', true],
    ['STEP_SKEW', false],
    ['REPLAY', false],
    ['FLOOD', false],
    ['ACCEPTED', false],
  ])('%s is provable by one message: %s', (code, provable) => {
    expect(isProvable(code)).toBe(provable)
  })

  it.each([
    [[{ verdict: 'reject', code: 'PATTERN_MISMATCH' }], 'PATTERN_MISMATCH', true],
    [
      [
        { verdict: 'accept', code: 'ACCEPTED' },
        { verdict: 'reject', code: 'TAG_MISMATCH' },
      ],
      'TAG_MISMATCH',
      true,
    ],
    [[{ verdict: 'accept', code: 'ACCEPTED' }], 'PATTERN_MISMATCH', false],
    [[{ verdict: 'reject', code: 'TAG_MISMATCH' }], 'PATTERN_MISMATCH', false],
    [[{ verdict: 'ignore', code: 'MALFORMED' }], 'MALFORMED', false],
    [[], 'MALFORMED', false],
  ] as const)('re-verification %j confirms %s: %s', (results, claimed, confirmed) => {
    expect(confirms(results, claimed)).toBe(confirmed)
  })
})
