/**
 * `patternmesh tail <url> [--after CURSOR] [--json]`: prints a node's log of delivered
 * messages (`GET /v1/messages`), then follows it by polling; resumes from its cursor after the
 * node was unreachable (backoff up to 5 s), says when messages were dropped before it could
 * read them; Ctrl-C ends it (exit 0).
 */
import type { Command } from 'commander'
import { UsageError } from '../../errors.js'
import { sleep } from '../../util/abortable.js'
import { apiEndpoint, parseApiUrl } from '../api-url.js'
import type { CliContext } from '../context.js'
import { EXIT_FAILURE, EXIT_OK, PROGRAM_NAME } from '../io.js'

/** Poll period while the log has nothing new, ms; and the longest reconnect backoff. */
const POLL_MS = 500
const MAX_BACKOFF_MS = 5000
const PAGE = 1000

interface TailOptions {
  after?: string
  json?: boolean
  token?: string
  max?: string
}

interface LoggedMessage {
  cursor: number
  id: string
  from: string
  step: number
  seq: number
  data: string
  encoding: 'utf8' | 'base64'
  direct: boolean
  receivedAt: number
}

interface Page {
  messages: LoggedMessage[]
  next: number
  truncated: boolean
}

export function registerTail(program: Command, ctx: CliContext): void {
  program
    .command('tail')
    .description("print a node's delivered messages, then follow them (resumes from a cursor)")
    .argument('<url>', "the node's control API, e.g. http://127.0.0.1:7070")
    .option('--after <cursor>', 'start after this cursor (a `cursor` printed earlier)')
    .option('--json', 'one JSON message per line (with its cursor) instead of text')
    .option('--max <n>', 'stop after printing n messages')
    .option('--token <token>', 'API token (default: $PATTERNMESH_API_TOKEN)')
    .addHelpText(
      'after',
      `
Text lines are: CURSOR TIME FROM [direct] DATA. Pass the last CURSOR to --after to resume.

Examples:
  $ patternmesh tail 127.0.0.1:7070
  $ patternmesh tail 127.0.0.1:7070 --json --after 1765100000000123`,
    )
    .action(async (url: string, opts: TailOptions) => {
      const base = parseApiUrl(url)
      const token = opts.token ?? process.env['PATTERNMESH_API_TOKEN']
      if (token === undefined || token === '')
        throw new UsageError(
          'the message log needs the API token: --token T or PATTERNMESH_API_TOKEN (file api-token in the daemon data dir)',
        )
      let cursor = parseCount(opts.after, '--after', 0)
      const max = parseCount(opts.max, '--max', 1)
      const controller = new AbortController()
      const stop = (): void => controller.abort()
      process.once('SIGINT', stop)
      process.once('SIGTERM', stop)
      const signal = controller.signal
      let printed = 0
      let failures = 0
      try {
        while (!signal.aborted) {
          const query = `limit=${PAGE}${cursor !== undefined ? `&after=${cursor}` : ''}`
          const endpoint = `${apiEndpoint(base, '/v1/messages')}?${query}`
          let response: Response
          try {
            response = await fetch(endpoint, {
              headers: { Authorization: `Bearer ${token}` },
              signal: AbortSignal.any([signal, AbortSignal.timeout(10_000)]),
            })
          } catch {
            if (signal.aborted) break
            const wait = Math.min(MAX_BACKOFF_MS, POLL_MS * 2 ** failures++)
            ctx.io.stderr.write(
              `${PROGRAM_NAME}: cannot reach ${base.host}; retrying in ${(wait / 1000).toFixed(1)} s\n`,
            )
            await sleep(wait, signal)
            continue
          }
          if (response.status === 401) {
            ctx.io.stderr.write(`${PROGRAM_NAME}: error: the node refused the API token (401)\n`)
            ctx.exitCode = EXIT_FAILURE
            return
          }
          if (!response.ok) {
            const wait = Math.min(MAX_BACKOFF_MS, POLL_MS * 2 ** failures++)
            ctx.io.stderr.write(
              `${PROGRAM_NAME}: ${endpoint} answered ${response.status}; retrying\n`,
            )
            await sleep(wait, signal)
            continue
          }
          if (failures > 0) ctx.io.stderr.write(`${PROGRAM_NAME}: reconnected\n`)
          failures = 0
          const page = (await response.json()) as Page
          if (page.truncated)
            ctx.io.stderr.write(
              `${PROGRAM_NAME}: warning: messages after cursor ${cursor ?? 0} were dropped from the node's log (or it restarted) before they could be read\n`,
            )
          for (const message of page.messages) {
            ctx.io.stdout.write(
              opts.json === true ? `${JSON.stringify(message)}\n` : formatMessage(message),
            )
            if (max !== undefined && ++printed >= max) return
          }
          cursor = page.next
          if (page.messages.length < PAGE) await sleep(POLL_MS, signal)
        }
        ctx.exitCode = EXIT_OK
      } finally {
        process.off('SIGINT', stop)
        process.off('SIGTERM', stop)
      }
    })
}

function parseCount(value: string | undefined, flag: string, min: number): number | undefined {
  if (value === undefined) return undefined
  const n = Number(value)
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(n) || n < min)
    throw new UsageError(`${flag}: expected an integer >= ${min}, got ${JSON.stringify(value)}`)
  return n
}

/** One text line. Pure (tested). */
export function formatMessage(message: LoggedMessage): string {
  const time = new Date(message.receivedAt).toISOString()
  const data =
    message.encoding === 'base64'
      ? `base64:${message.data}`
      : /[\n\r\t]/.test(message.data)
        ? JSON.stringify(message.data)
        : message.data
  return `${message.cursor} ${time} ${message.from}${message.direct ? ' direct' : ''} ${data}\n`
}
