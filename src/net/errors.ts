/**
 * Errors of the libp2p layer. One class per failure with a stable `name` and `code`; match on
 * those, never on the message. libp2p's own error, when there is one, is the `cause`.
 */
import { PatternmeshError } from '../errors.js'

/** A pnet pre-shared key file that cannot be used; the message names what is wrong. */
export class InvalidPskError extends PatternmeshError {
  constructor(message: string) {
    super('INVALID_PSK', message)
  }
}

/** A dial that did not finish within its timeout (e.g. a PSK node dialing a non-PSK node). */
export class DialTimeoutError extends PatternmeshError {
  readonly target: string
  readonly timeoutMs: number

  constructor(target: string, timeoutMs: number, options?: { cause?: unknown }) {
    super('DIAL_TIMEOUT', `dial to ${target} did not complete within ${timeoutMs} ms`, options)
    this.target = target
    this.timeoutMs = timeoutMs
  }
}

/** A dial refused or failed before its timeout (unreachable, wrong PSK, gater, bad peer id). */
export class DialFailedError extends PatternmeshError {
  readonly target: string

  constructor(target: string, options?: { cause?: unknown }) {
    const reason = options?.cause instanceof Error ? `: ${options.cause.message}` : ''
    super('DIAL_FAILED', `dial to ${target} failed${reason}`, options)
    this.target = target
  }
}

/** Gossipsub score parameters that gossipsub would misapply (it does not validate them). */
export class InvalidScoreParamsError extends PatternmeshError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('INVALID_SCORE_PARAMS', message, options)
  }
}

/** Partition groups that cannot be applied (a peer in two groups, a bad peer id). */
export class InvalidPartitionError extends PatternmeshError {
  constructor(message: string) {
    super('INVALID_PARTITION', message)
  }
}
