/** One error class per failure, matched by `name` or `code` (STYLE 7). */
import { PatternmeshError } from '../errors.js'

/** The request is malformed or its payload does not validate: nothing was sent. */
export class InvalidAdviceError extends PatternmeshError {
  constructor(message: string) {
    super('INVALID_ADVICE', message)
  }
}

/** No principal is known, or it could not be reached or refused to stamp. */
export class NoPrincipalError extends PatternmeshError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('NO_PRINCIPAL', message, options)
  }
}

export class AdviceNotFoundError extends PatternmeshError {
  constructor(id: string) {
    super('ADVICE_NOT_FOUND', `no advice ${id}`)
  }
}

/** The advice log on disk cannot be read or written. */
export class AdviceStoreError extends PatternmeshError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('ADVICE_STORE', message, options)
  }
}
