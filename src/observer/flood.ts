/**
 * FLOOD detection: a token bucket per sender, refilled at `ratePerSecond` up to `burst`. Pure:
 * the state is a value and the time is passed in, so the rule is tested with a table.
 */
export interface FloodPolicy {
  /** Sustained frames per second a sender may send. */
  ratePerSecond: number
  /** Frames a sender may send at once. */
  burst: number
}

export interface BucketState {
  tokens: number
  /** ms of the last refill. */
  at: number
  /** True from the moment the bucket ran dry until it is full again (one report per episode). */
  flooding: boolean
}

export interface TakeOutcome {
  state: BucketState
  /** True for the frame that started a flood episode (report it once). */
  startedFlood: boolean
}

export function fullBucket(policy: FloodPolicy, now: number): BucketState {
  return { tokens: policy.burst, at: now, flooding: false }
}

/** Takes one token for a frame at `now` (ms). */
export function takeToken(state: BucketState, now: number, policy: FloodPolicy): TakeOutcome {
  const elapsed = Math.max(0, now - state.at)
  const tokens = Math.min(policy.burst, state.tokens + (elapsed * policy.ratePerSecond) / 1000)
  // The episode ends once the sender kept under its rate long enough to refill the bucket.
  const flooding = state.flooding && tokens < policy.burst
  if (tokens >= 1) return { state: { tokens: tokens - 1, at: now, flooding }, startedFlood: false }
  return { state: { tokens, at: now, flooding: true }, startedFlood: !flooding }
}
