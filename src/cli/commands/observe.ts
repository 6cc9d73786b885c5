/**
 * `patternmesh observe <url>`: live anomalies and member changes of a node, from its
 * `/v1/events` stream; reconnects across daemon restarts; Ctrl-C ends it (exit 0).
 */
import type { Command } from 'commander'
import { UsageError } from '../../errors.js'
import { ANOMALY_KINDS, isAnomalyKind } from '../../observer/anomaly.js'
import { apiEndpoint, parseApiUrl } from '../api-url.js'
import { EXIT_FAILURE, EXIT_OK, PROGRAM_NAME } from '../io.js'
import type { CliContext } from '../context.js'
import { formatEvent } from '../observe-format.js'
import { watchEvents } from '../observe-stream.js'

interface ObserveOptions {
  token?: string
  json?: boolean
  kind?: string
}

export function registerObserve(program: Command, ctx: CliContext): void {
  program
    .command('observe')
    .description('watch a node live: anomalies, member and role changes (reconnects on restart)')
    .argument('<url>', "the node's control API, e.g. http://127.0.0.1:7070")
    .option('--token <token>', 'API token (default: $PATTERNMESH_API_TOKEN)')
    .option('--json', 'one JSON event per line instead of text')
    .option(
      '--kind <kinds>',
      `only these anomaly kinds, comma-separated (${ANOMALY_KINDS.join(', ')})`,
    )
    .addHelpText(
      'after',
      `
The token is in the daemon's data dir (api-token) unless it was configured.

Examples:
  $ PATTERNMESH_API_TOKEN=$(cat ~/.patternmesh/api-token) patternmesh observe http://127.0.0.1:7070
  $ patternmesh observe 127.0.0.1:7070 --token T --json --kind PATTERN_MISMATCH,REPLAY`,
    )
    .action(async (url: string, opts: ObserveOptions) => {
      const base = parseApiUrl(url)
      const token = opts.token ?? process.env['PATTERNMESH_API_TOKEN']
      if (token === undefined || token === '')
        throw new UsageError(
          'the event stream needs the API token: --token T or PATTERNMESH_API_TOKEN (file api-token in the daemon data dir)',
        )
      const kinds = parseKinds(opts.kind)
      const colour = isTerminal(ctx.io.stdout) && process.env['NO_COLOR'] === undefined
      const endpoint = apiEndpoint(base, '/v1/events', true)
      const controller = new AbortController()
      const stop = (): void => controller.abort()
      process.once('SIGINT', stop)
      process.once('SIGTERM', stop)
      try {
        const outcome = await watchEvents({
          url: `${endpoint}?types=anomaly,member,role`,
          token,
          signal: controller.signal,
          onStatus: (message) => ctx.io.stderr.write(`${PROGRAM_NAME}: ${message}\n`),
          onFrame: (frame) => {
            if (frame['type'] === 'hello') return
            if (
              frame['type'] === 'anomaly' &&
              kinds !== undefined &&
              !kinds.has(String(frame['kind']))
            )
              return
            if (opts.json === true) ctx.io.stdout.write(`${JSON.stringify(frame)}\n`)
            else {
              const line = formatEvent(frame, colour)
              if (line !== undefined) ctx.io.stdout.write(`${line}\n`)
            }
          },
        })
        if (outcome === 'unauthorized') {
          ctx.io.stderr.write(`${PROGRAM_NAME}: error: the node refused the API token (401)\n`)
          ctx.exitCode = EXIT_FAILURE
        } else ctx.exitCode = EXIT_OK
      } finally {
        process.off('SIGINT', stop)
        process.off('SIGTERM', stop)
      }
    })
}

function parseKinds(value: string | undefined): ReadonlySet<string> | undefined {
  if (value === undefined) return undefined
  const kinds = value.split(',').map((kind) => kind.trim().toUpperCase())
  for (const kind of kinds)
    if (!isAnomalyKind(kind))
      throw new UsageError(
        `--kind: unknown anomaly kind ${JSON.stringify(kind)} (known: ${ANOMALY_KINDS.join(', ')})`,
      )
  return new Set(kinds)
}

function isTerminal(stream: unknown): boolean {
  return (stream as { isTTY?: boolean }).isTTY === true
}
