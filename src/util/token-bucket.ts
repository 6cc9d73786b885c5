/**
 * A token bucket, pure apart from the clock it is given: `burst` tokens at most, refilled at
 * `ratePerSecond`. Each take takes one token; with none left, the answer says how long until
 * one is back (the API's `Retry-After` of a 429, the peer records' pace).
 */
export interface TokenBucketInit {
  ratePerSecond: number
  burst: number
  /** ms clock; `performance.now` in the server, a fake in tests. */
  now: () => number
}

export type TakeResult = { ok: true; remaining: number } | { ok: false; retryAfterMs: number }

export interface TokenBucket {
  take(): TakeResult
}

export function createTokenBucket(init: TokenBucketInit): TokenBucket {
  if (!(init.ratePerSecond > 0) || !Number.isFinite(init.ratePerSecond))
    throw new RangeError(`ratePerSecond must be a positive number, got ${init.ratePerSecond}`)
  if (!Number.isInteger(init.burst) || init.burst < 1)
    throw new RangeError(`burst must be an integer ≥ 1, got ${init.burst}`)
  let tokens = init.burst
  let last = init.now()
  return {
    take(): TakeResult {
      const now = init.now()
      // A clock that goes backwards refills nothing (and takes nothing away).
      const elapsed = Math.max(0, now - last)
      last = Math.max(last, now)
      tokens = Math.min(init.burst, tokens + (elapsed * init.ratePerSecond) / 1000)
      if (tokens >= 1) {
        tokens -= 1
        return { ok: true, remaining: Math.floor(tokens) }
      }
      // The epsilon keeps float noise (1.0000000000000009 ms) from rounding up a whole ms.
      const waitMs = ((1 - tokens) * 1000) / init.ratePerSecond
      return { ok: false, retryAfterMs: Math.max(1, Math.ceil(waitMs - 1e-9)) }
    },
  }
}
