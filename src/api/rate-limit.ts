/** The API's write limit, on the token bucket of util/token-bucket.ts. */
import { createTokenBucket, type TakeResult, type TokenBucket } from '../util/token-bucket.js'

export {
  createTokenBucket,
  type TakeResult,
  type TokenBucket,
  type TokenBucketInit,
} from '../util/token-bucket.js'

/**
 * The write limit of the API: one bucket for every client, sized by `read()` at each take, so
 * a config change (CONFIG advice, reload) applies to the next write. A changed setting starts
 * a new bucket, full at its own burst.
 */
export function createLiveTokenBucket(
  read: () => { writesPerSecond: number; burst: number },
  now: () => number,
): TokenBucket {
  let current: { rate: number; burst: number; bucket: TokenBucket } | undefined
  return {
    take(): TakeResult {
      const { writesPerSecond: rate, burst } = read()
      if (current === undefined || current.rate !== rate || current.burst !== burst)
        current = { rate, burst, bucket: createTokenBucket({ ratePerSecond: rate, burst, now }) }
      return current.bucket.take()
    },
  }
}
