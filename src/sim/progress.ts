/**
 * The simulation's live progress line: on a terminal one line rewritten in place; in a file or
 * a pipe one line every `intervalMs` (a 100-second run writes ~20 lines, not 400), and the
 * last state at the end.
 */

export interface ProgressStream {
  write(chunk: string): unknown
  /** A terminal: the line is rewritten in place. */
  isTTY?: boolean
  columns?: number
}

export interface ProgressPrinter {
  update(line: string): void
  /** Ends the line (terminal) or writes the last state if it was not written (file, pipe). */
  done(): void
}

export const PROGRESS_INTERVAL_MS = 5000
/** Erases the rest of the terminal line (a shorter line leaves no tail of the longer one). */
const CLEAR_TO_END = '\x1b[K'

export function progressPrinter(
  stream: ProgressStream,
  { intervalMs = PROGRESS_INTERVAL_MS, now = Date.now } = {},
): ProgressPrinter {
  if (stream.isTTY === true) {
    let written = false
    return {
      update(line) {
        // One column short of the width: a full line would wrap on some terminals.
        const width = Math.max(20, (stream.columns ?? 100) - 1)
        stream.write(`\r${line.slice(0, width)}${CLEAR_TO_END}`)
        written = true
      },
      done() {
        if (written) stream.write('\n')
        written = false
      },
    }
  }
  let lastAt = Number.NEGATIVE_INFINITY
  let pending: string | undefined
  return {
    update(line) {
      if (now() - lastAt < intervalMs) {
        pending = line
        return
      }
      lastAt = now()
      pending = undefined
      stream.write(`${line}\n`)
    },
    done() {
      if (pending !== undefined) stream.write(`${pending}\n`)
      pending = undefined
    },
  }
}
