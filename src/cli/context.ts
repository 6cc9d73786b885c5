import type { CliIo } from './io.js'

/** What a command's action may use: the output sinks, and the exit code it wants. */
export interface CliContext {
  io: CliIo
  exitCode: number
}
