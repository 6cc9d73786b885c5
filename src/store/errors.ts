import { PatternmeshError } from '../errors.js'

/** The data dir cannot be used: unreadable, not a directory, or held by another process. */
export class DataDirError extends PatternmeshError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('DATA_DIR', message, options)
  }
}
