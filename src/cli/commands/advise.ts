/**
 * `patternmesh advise <api-url>`: issue an advice, roll one back, or list advice with the
 * status of every target, through a node's control API. The request is validated here with
 * the same rules as the node's (a bad payload is refused before anything is sent).
 */
import type { Command } from 'commander'
import {
  ADVICE_TYPES,
  InvalidAdviceError,
  parseDuration,
  validateAdviceRequest,
  type AdviceView,
} from '../../advice/index.js'
import { PatternmeshError, UsageError } from '../../errors.js'
import { callApi, parseApiBase } from '../api-call.js'
import type { CliContext } from '../context.js'

interface AdviseOptions {
  type?: string
  target?: string[]
  payload?: string
  ttl: string
  token?: string
  rollback?: string
  list?: boolean
  id?: string
  json?: boolean
}

/** The API answered with an error (or not at all): exit 1. */
class AdviceApiError extends PatternmeshError {
  constructor(message: string) {
    super('ADVICE_API', message)
  }
}

export function registerAdvise(program: Command, ctx: CliContext): void {
  program
    .command('advise')
    .description('issue, roll back or list advice through a node’s control API')
    .argument('<api-url>', 'the node’s API, e.g. http://127.0.0.1:7070')
    .option('--type <type>', `advice type: ${ADVICE_TYPES.join(', ')}`)
    .option(
      '--target <target...>',
      "peer ids, role:principal, role:member or '*' (repeat or space-separate)",
    )
    .option('--payload <json>', 'the payload, a JSON object')
    .option('--ttl <duration>', 'time to live: 500ms, 60s, 5m, 1h', '60s')
    .option('--token <token>', 'API bearer token (default: $PATTERNMESH_API_TOKEN)')
    .option('--rollback <id>', 'roll back advice <id> (a new advice restoring what it replaced)')
    .option('--list', 'list advice with the status of every target')
    .option('--id <id>', 'with --list: only this advice')
    .option('--json', 'print the API’s JSON answer')
    .addHelpText(
      'after',
      `
Payloads: CONFIG {"heartbeatIntervalMs":500,...} (live keys only); ROLE {"weight":40} or
{"eligible":false}; UPDATE {"key":"name","value":...}.

Examples:
  $ patternmesh advise http://127.0.0.1:7070 --type CONFIG --target '*' \\
      --payload '{"heartbeatIntervalMs":500}' --ttl 60s
  $ patternmesh advise http://127.0.0.1:7070 --rollback 1b4e28ba-2fa1-11d2-883f-0016d3cca427
  $ patternmesh advise http://127.0.0.1:7070 --list`,
    )
    .action(async (url: string, opts: AdviseOptions) => {
      const base = parseApiBase(url)
      if (opts.list === true) {
        const query = opts.id !== undefined ? `?id=${encodeURIComponent(opts.id)}` : ''
        const body = (await call(base, 'GET', `/v1/advice${query}`)) as { advice: AdviceView[] }
        ctx.io.stdout.write(
          opts.json === true ? JSON.stringify(body, null, 2) + '\n' : formatList(body.advice),
        )
        return
      }
      const token = opts.token ?? process.env['PATTERNMESH_API_TOKEN']
      if (token === undefined || token === '')
        throw new UsageError('a token is needed: --token T or PATTERNMESH_API_TOKEN')
      const ttlMs = adviceInput(() => parseDuration(opts.ttl))
      if (opts.rollback !== undefined) {
        const answer = (await call(base, 'POST', '/v1/advice/rollback', token, {
          id: opts.rollback,
          ttlMs,
        })) as { id: string }
        ctx.io.stdout.write(
          opts.json === true
            ? JSON.stringify(answer) + '\n'
            : `rollback of ${opts.rollback} issued: ${answer.id}\n`,
        )
        return
      }
      const request = buildRequest(opts, ttlMs)
      const answer = (await call(base, 'POST', '/v1/advice', token, request)) as { id: string }
      ctx.io.stdout.write(
        opts.json === true ? JSON.stringify(answer) + '\n' : `advice issued: ${answer.id}\n`,
      )
    })
}

/** The request from the flags, validated as the node will (exit 2 on a bad one). */
export function buildRequest(opts: AdviseOptions, ttlMs: number): unknown {
  if (opts.type === undefined) throw new UsageError('--type is required (or --list, --rollback)')
  if (opts.target === undefined || opts.target.length === 0)
    throw new UsageError("--target is required, e.g. --target '*'")
  if (opts.payload === undefined) throw new UsageError('--payload is required (a JSON object)')
  let payload: unknown
  try {
    payload = JSON.parse(opts.payload)
  } catch (err) {
    throw new UsageError(`--payload is not JSON: ${(err as Error).message}`)
  }
  const request = {
    type: opts.type.toUpperCase(),
    target: opts.target.flatMap((t) => t.split(',')).filter((t) => t !== ''),
    payload,
    ttlMs,
  }
  return adviceInput(() => validateAdviceRequest(request))
}

function adviceInput<T>(check: () => T): T {
  try {
    return check()
  } catch (err) {
    if (err instanceof InvalidAdviceError) throw new UsageError(err.message)
    throw err
  }
}

/** A call to the node's API, failing with this command's error. */
async function call(
  base: string,
  method: 'GET' | 'POST',
  path: string,
  token?: string,
  body?: unknown,
): Promise<unknown> {
  return await callApi(base, method, path, {
    token,
    body,
    timeoutMs: 15_000,
    failure: (message) => new AdviceApiError(message),
  })
}

/** One block per advice: its line, then one line per target. */
export function formatList(advice: readonly AdviceView[]): string {
  if (advice.length === 0) return 'no advice\n'
  const lines: string[] = []
  for (const a of advice) {
    const expires = new Date(a.expiry).toISOString()
    const what =
      a.rollbackOf !== undefined ? `rollback of ${a.rollbackOf}` : JSON.stringify(a.payload)
    lines.push(
      `${a.id}  ${a.type}  ${a.status.toUpperCase()}  ${a.counts.accepted} accepted, ${a.counts.rejected} rejected, ${a.counts.pending} pending  term ${a.term}  expires ${expires}`,
    )
    lines.push(`  target ${a.target.join(' ')}  ${what}`)
    for (const r of a.results)
      lines.push(`  ${r.target}  ${r.status}${r.reason !== undefined ? `  (${r.reason})` : ''}`)
  }
  return lines.join('\n') + '\n'
}
