/** Errors of the conditioned memory transport: one class per failure, matched by `name`. */
import { PatternmeshError } from '../../errors.js'

/** Network conditions that cannot be applied (negative latency, loss outside 0 … 0.99, NaN). */
export class InvalidConditionsError extends PatternmeshError {
  constructor(message: string) {
    super('INVALID_CONDITIONS', message)
  }
}
