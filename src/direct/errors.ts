/** Errors of directed messages and receipts, matched by name (the API maps them). */
import { PatternmeshError } from '../errors.js'

/** `to` cannot be parsed (the API answers 400). */
export class InvalidTargetError extends PatternmeshError {
  constructor(message: string) {
    super('INVALID_TARGET', message)
  }
}

/** Nothing matches `to` now: an unknown peer, no principal, no alive member (404). */
export class NoTargetError extends PatternmeshError {
  constructor(message: string) {
    super('NO_TARGET', message)
  }
}

/** The receiver did not acknowledge before the deadline (504). */
export class DeliveryTimeoutError extends PatternmeshError {
  readonly attempts: number

  constructor(message: string, attempts: number) {
    super('DELIVERY_TIMEOUT', message)
    this.attempts = attempts
  }
}

/** The receiver refused the message (it failed its checks there): not retried. */
export class DeliveryRefusedError extends PatternmeshError {
  readonly refusal: string

  constructor(refusal: string, message: string) {
    super('DELIVERY_REFUSED', message)
    this.refusal = refusal
  }
}

/** Too many sends or acknowledged broadcasts in flight (503). */
export class DirectBusyError extends PatternmeshError {
  constructor(message: string) {
    super('DIRECT_BUSY', message)
  }
}

/** `ack` is not a fraction in (0, 1] (400). */
export class InvalidAckError extends PatternmeshError {
  constructor(message: string) {
    super('INVALID_ACK', message)
  }
}

/** Fewer than `ack` of the members confirmed a broadcast in time (504); the counts are kept. */
export class AckTimeoutError extends PatternmeshError {
  readonly result: { id: string; step: number; seq: number; receipts: number; members: number }

  constructor(message: string, result: AckTimeoutError['result']) {
    super('ACK_TIMEOUT', message)
    this.result = result
  }
}
