/**
 * `patternmesh send <url> (--data D | --file F) [--to T] [--ack F] [--timeout S]`: one message
 * through a node's control API (DESIGN §15): a broadcast, an acknowledged broadcast (`--ack`),
 * or a directed message (`--to`). Prints the answer as JSON; exit 1 when it was not delivered.
 */
import { readFile } from 'node:fs/promises'
import type { Command } from 'commander'
import { UsageError } from '../../errors.js'
import { apiEndpoint, parseApiUrl } from '../api-url.js'
import type { CliContext } from '../context.js'
import { EXIT_FAILURE, EXIT_OK, PROGRAM_NAME } from '../io.js'

/** Longest `--timeout`, seconds (the API's `timeoutMs` cap). */
const MAX_TIMEOUT_S = 120

interface SendOptions {
  data?: string
  file?: string
  to?: string
  ack?: string
  timeout?: string
  token?: string
}

export function registerSend(program: Command, ctx: CliContext): void {
  program
    .command('send')
    .description(
      'send a message through a node: broadcast, acknowledged (--ack) or directed (--to)',
    )
    .argument('<url>', "the node's control API, e.g. http://127.0.0.1:7070")
    .option('--data <text>', 'the payload, as text')
    .option('--file <path>', 'the payload, the bytes of a file (sent as base64)')
    .option('--to <target>', 'one member: a peer id, role:principal, role:member, any, or key:<k>')
    .option('--ack <fraction>', 'wait until this fraction (0 < f <= 1) of the alive members has it')
    .option('--timeout <seconds>', 'how long --to and --ack wait (default 5)')
    .option('--token <token>', 'API token (default: $PATTERNMESH_API_TOKEN)')
    .addHelpText(
      'after',
      `
Examples:
  $ patternmesh send 127.0.0.1:7070 --data hello
  $ patternmesh send 127.0.0.1:7070 --data job-42 --to key:job-42 --timeout 10
  $ patternmesh send 127.0.0.1:7070 --file ./report.bin --ack 1.0`,
    )
    .action(async (url: string, opts: SendOptions) => {
      const base = parseApiUrl(url)
      const token = opts.token ?? process.env['PATTERNMESH_API_TOKEN']
      if (token === undefined || token === '')
        throw new UsageError(
          'sending needs the API token: --token T or PATTERNMESH_API_TOKEN (file api-token in the daemon data dir)',
        )
      const body = { ...(await payloadOf(opts)), ...targetOf(opts) }
      const endpoint = apiEndpoint(base, '/v1/messages')
      const timeoutMs = (body.timeoutMs ?? 5000) + 10_000
      let response: Response
      try {
        response = await fetch(endpoint, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` },
          body: JSON.stringify(body),
          signal: AbortSignal.timeout(timeoutMs),
        })
      } catch (err) {
        const cause = (err as { cause?: { code?: string } }).cause?.code
        throw new Error(`cannot reach ${endpoint}${cause !== undefined ? ` (${cause})` : ''}`)
      }
      const answer = (await response.json().catch(() => ({}))) as Record<string, unknown>
      const error = answer['error'] as { code?: string; message?: string } | undefined
      if (response.ok) {
        ctx.io.stdout.write(`${JSON.stringify(answer)}\n`)
        ctx.exitCode = EXIT_OK
        return
      }
      // An acknowledged broadcast that timed out still has its counts: print them too.
      if (answer['receipts'] !== undefined) ctx.io.stdout.write(`${JSON.stringify(answer)}\n`)
      ctx.io.stderr.write(
        `${PROGRAM_NAME}: error: ${response.status} ${error?.code ?? ''}: ${error?.message ?? 'no details'}\n`,
      )
      ctx.exitCode = EXIT_FAILURE
    })
}

async function payloadOf(opts: SendOptions): Promise<{ data: string; encoding?: 'base64' }> {
  if ((opts.data === undefined) === (opts.file === undefined))
    throw new UsageError('give the payload with exactly one of --data TEXT or --file PATH')
  if (opts.data !== undefined) return { data: opts.data }
  try {
    return { data: (await readFile(opts.file!)).toString('base64'), encoding: 'base64' }
  } catch (err) {
    throw new UsageError(`--file: cannot read ${opts.file!}: ${(err as Error).message}`)
  }
}

function targetOf(opts: SendOptions): { to?: string; ack?: number; timeoutMs?: number } {
  if (opts.to !== undefined && opts.ack !== undefined)
    throw new UsageError(
      '--to and --ack: a directed message is acknowledged by its receiver; give one',
    )
  const out: { to?: string; ack?: number; timeoutMs?: number } = {}
  if (opts.to !== undefined) {
    if (opts.to.trim() === '') throw new UsageError('--to: expected a target')
    out.to = opts.to
  }
  if (opts.ack !== undefined) {
    const ack = Number(opts.ack)
    if (!Number.isFinite(ack) || ack <= 0 || ack > 1)
      throw new UsageError(`--ack: expected a fraction 0 < f <= 1, got ${JSON.stringify(opts.ack)}`)
    out.ack = ack
  }
  if (opts.timeout !== undefined) {
    const seconds = Number(opts.timeout)
    if (!Number.isFinite(seconds) || seconds <= 0 || seconds > MAX_TIMEOUT_S)
      throw new UsageError(
        `--timeout: expected seconds in (0, ${MAX_TIMEOUT_S}], got ${JSON.stringify(opts.timeout)}`,
      )
    out.timeoutMs = Math.max(1, Math.round(seconds * 1000))
  }
  return out
}
