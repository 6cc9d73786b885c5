import { describe, expect, it } from 'vitest'
import { createTokenBucket, type TakeResult } from '../../src/api/rate-limit.js'

/** Each row: the clock (ms) at each take, and what the bucket answers. */
const table: Array<{
  name: string
  rate: number
  burst: number
  takes: Array<[at: number, expected: TakeResult]>
}> = [
  {
    name: 'a full bucket allows `burst` writes at once, then refuses',
    rate: 1,
    burst: 3,
    takes: [
      [0, { ok: true, remaining: 2 }],
      [0, { ok: true, remaining: 1 }],
      [0, { ok: true, remaining: 0 }],
      [0, { ok: false, retryAfterMs: 1000 }],
    ],
  },
  {
    name: 'tokens come back at the rate, and Retry-After shrinks as they do',
    rate: 2,
    burst: 1,
    takes: [
      [0, { ok: true, remaining: 0 }],
      [100, { ok: false, retryAfterMs: 400 }],
      [499, { ok: false, retryAfterMs: 1 }],
      [500, { ok: true, remaining: 0 }],
      [1000, { ok: true, remaining: 0 }],
    ],
  },
  {
    name: 'a long idle period refills to burst, never beyond',
    rate: 10,
    burst: 2,
    takes: [
      [0, { ok: true, remaining: 1 }],
      [0, { ok: true, remaining: 0 }],
      [60_000, { ok: true, remaining: 1 }],
      [60_000, { ok: true, remaining: 0 }],
      [60_000, { ok: false, retryAfterMs: 100 }],
    ],
  },
  {
    name: 'a clock that goes backwards refills nothing',
    rate: 1,
    burst: 1,
    takes: [
      [5000, { ok: true, remaining: 0 }],
      [1000, { ok: false, retryAfterMs: 1000 }],
      [5500, { ok: false, retryAfterMs: 500 }],
      [6000, { ok: true, remaining: 0 }],
    ],
  },
  {
    name: 'fractional rates: one write every 4 s',
    rate: 0.25,
    burst: 1,
    takes: [
      [0, { ok: true, remaining: 0 }],
      [1000, { ok: false, retryAfterMs: 3000 }],
      [4000, { ok: true, remaining: 0 }],
    ],
  },
]

describe('createTokenBucket', () => {
  it.each(table)('$name', ({ rate, burst, takes }) => {
    let now = takes[0]![0]
    const bucket = createTokenBucket({ ratePerSecond: rate, burst, now: () => now })
    for (const [at, expected] of takes) {
      now = at
      expect(bucket.take(), `take at ${at} ms`).toEqual(expected)
    }
  })

  it.each([
    { ratePerSecond: 0, burst: 1 },
    { ratePerSecond: -1, burst: 1 },
    { ratePerSecond: Number.NaN, burst: 1 },
    { ratePerSecond: Number.POSITIVE_INFINITY, burst: 1 },
    { ratePerSecond: 1, burst: 0 },
    { ratePerSecond: 1, burst: 1.5 },
  ])('refuses %o', (init) => {
    expect(() => createTokenBucket({ ...init, now: () => 0 })).toThrow(RangeError)
  })
})
