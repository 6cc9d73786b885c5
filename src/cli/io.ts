/** Where the CLI writes. Tests pass string sinks; the bin passes process.stdout/stderr. */
export interface CliWritable {
  write(chunk: string): unknown
}

export interface CliIo {
  stdout: CliWritable
  stderr: CliWritable
}

/** Exit codes: 0 success, 1 a check or an operation failed, 2 bad usage or unreadable input. */
export const EXIT_OK = 0
export const EXIT_FAILURE = 1
export const EXIT_USAGE = 2

export const PROGRAM_NAME = 'patternmesh'

/** The one-line error format of every command: `patternmesh: error: <message>`. */
export function errorLine(message: string): string {
  const oneLine = message.replace(/\s*\n\s*/g, ' ').trim()
  return `${PROGRAM_NAME}: error: ${oneLine}\n`
}
