/**
 * Redial backoff, pure: `attempt` failures so far → delay before the next try. Exponential
 * from `baseMs` by `factor`, capped at `maxMs`, plus up to `jitter`·delay of spread drawn from
 * `random` (a number in [0, 1), injected so tests are deterministic).
 */
import {
  BOOTSTRAP_BACKOFF_BASE_MS,
  BOOTSTRAP_BACKOFF_FACTOR,
  BOOTSTRAP_BACKOFF_JITTER,
  BOOTSTRAP_BACKOFF_MAX_MS,
} from './constants.js'

export interface BackoffOptions {
  baseMs: number
  factor: number
  maxMs: number
  /** Fraction of the delay added at most as random spread; 0 for none. */
  jitter: number
}

export const DEFAULT_BACKOFF: Readonly<BackoffOptions> = {
  baseMs: BOOTSTRAP_BACKOFF_BASE_MS,
  factor: BOOTSTRAP_BACKOFF_FACTOR,
  maxMs: BOOTSTRAP_BACKOFF_MAX_MS,
  jitter: BOOTSTRAP_BACKOFF_JITTER,
}

export function backoffDelay(
  attempt: number,
  options: BackoffOptions = DEFAULT_BACKOFF,
  random: () => number = Math.random,
): number {
  const exponent = Math.max(0, Math.floor(attempt))
  const delay = Math.min(options.maxMs, options.baseMs * Math.pow(options.factor, exponent))
  return Math.round(delay * (1 + options.jitter * random()))
}
