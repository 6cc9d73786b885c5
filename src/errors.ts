/**
 * One error class per failure, matched by `name` (or the stable `code`), never by message
 * text. Every class carries a `code` that the CLI and the API print.
 */
export class PatternmeshError extends Error {
  readonly code: string

  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.code = code
    this.name = new.target.name
  }
}

/** A key, key file or seed that cannot be used. */
export class InvalidKeyError extends PatternmeshError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('INVALID_KEY', message, options)
  }
}

/** A step number outside 0 … Number.MAX_SAFE_INTEGER or not an integer. */
export class InvalidStepError extends PatternmeshError {
  constructor(message: string) {
    super('INVALID_STEP', message)
  }
}

/** A configuration value (file, environment, flag or advice) that is refused. */
export class ConfigError extends PatternmeshError {
  readonly key: string | undefined

  constructor(message: string, key?: string) {
    super('INVALID_CONFIG', message)
    this.key = key
  }
}

/** A value that cannot be put on the wire (too large, wrong type). */
export class EncodeError extends PatternmeshError {
  constructor(message: string) {
    super('ENCODE_FAILED', message)
  }
}

/** Bad command-line usage: the CLI prints the message and exits with code 2. */
export class UsageError extends PatternmeshError {
  constructor(message: string) {
    super('USAGE', message)
  }
}

/** The outbound queue stayed full for longer than the caller was willing to wait. */
export class SendQueueFullError extends PatternmeshError {
  constructor(message: string) {
    super('SEND_QUEUE_FULL', message)
  }
}

/** A call that needs a started node (broadcast, sync) was made before start() or after stop(). */
export class NotStartedError extends PatternmeshError {
  constructor(message = 'the mesh node is not started') {
    super('NOT_STARTED', message)
  }
}

/** A payload larger than a frame may carry. */
export class PayloadTooLargeError extends PatternmeshError {
  constructor(message: string) {
    super('PAYLOAD_TOO_LARGE', message)
  }
}

/** An observer never publishes data: `broadcast` (library or API) is refused with this. */
export class ObserverModeError extends Error {
  static readonly code = 'OBSERVER_MODE'
  constructor(message = 'this node is an observer: it never publishes data') {
    super(message)
    this.name = 'ObserverModeError'
  }
}
