/**
 * `patternmesh pattern`: the pattern values of a key for one step or a range of steps, so that
 * operators and other implementations can check values by hand (DESIGN §2, PROTOCOL.md).
 */
import { Option, type Command } from 'commander'
import { DEFAULT_CONFIG } from '../../config/index.js'
import { UsageError } from '../../errors.js'
import {
  DEFAULT_ALGORITHM,
  PATTERN_ALGORITHMS,
  PatternGenerator,
  formatCode,
  parseNetworkKey,
  readNetworkKeyFile,
  type PatternAlgorithm,
  type PatternGeneratorInit,
} from '../../pattern/index.js'
import type { CliContext } from '../context.js'
import { integerIn, nonNegativeInteger } from '../parse.js'

/** The most steps one call prints. */
export const MAX_PATTERN_STEPS = 100_000

const LINES_PER_WRITE = 1024
/** Pattern values are 31-bit: at most 10 decimal digits. */
const VALUE_WIDTH = 10

interface PatternOptions {
  keyHex?: string
  keyFile?: string
  seed?: string
  algorithm: PatternAlgorithm
  phaseReset: number
  digits?: number
  step?: number
  from?: number
  to?: number
  json?: boolean
}

export interface PatternRow {
  step: number
  phase: number
  value: number
  /** The D-digit code, when digits were asked for. */
  code?: string
}

export function registerPattern(program: Command, ctx: CliContext): void {
  program
    .command('pattern')
    .description('print the pattern values of a network key for a step or a range of steps')
    .addOption(
      new Option(
        '--key-hex <hex>',
        'network key as hex (visible in ps and shell history: prefer --key-file)',
      ).conflicts(['keyFile', 'seed']),
    )
    .addOption(
      new Option(
        '--key-file <file>',
        'file holding the network key as hex (as keygen writes it)',
      ).conflicts('seed'),
    )
    .addOption(
      new Option('--seed <seed>', 'development seed, stretched into a key (not for production)'),
    )
    .addOption(
      new Option('--algorithm <alg>', 'HMAC algorithm')
        .choices(PATTERN_ALGORITHMS)
        .default(DEFAULT_ALGORITHM),
    )
    .addOption(
      new Option(
        '--phase-reset <n>',
        'steps per phase, each phase with its own derived key; 0 = never reset (the mesh default is phaseResetInterval)',
      )
        .argParser(nonNegativeInteger)
        .default(DEFAULT_CONFIG.phaseResetInterval),
    )
    .addOption(
      new Option('--digits <d>', 'also print the D-digit code, value mod 10^D (1..10)').argParser(
        integerIn(1, 10),
      ),
    )
    .addOption(
      new Option('--step <n>', 'the one step to print')
        .argParser(nonNegativeInteger)
        .conflicts(['from', 'to']),
    )
    .addOption(
      new Option('--from <a>', 'first step of a range (with --to)').argParser(nonNegativeInteger),
    )
    .addOption(
      new Option(
        '--to <b>',
        `last step of the range, inclusive (at most ${MAX_PATTERN_STEPS} steps)`,
      ).argParser(nonNegativeInteger),
    )
    .option('--json', 'one JSON object per line: {"step","phase","value","code"}')
    .addHelpText(
      'after',
      `
Give exactly one of --key-hex, --key-file, --seed and either --step or --from with --to.

Example, the RFC 4226 test vectors (codes 755224, 287082, ...):
  $ patternmesh pattern --key-hex 3132333435363738393031323334353637383930 \\
      --algorithm sha1 --phase-reset 0 --digits 6 --from 0 --to 9`,
    )
    .action(async (opts: PatternOptions) => {
      const [from, to] = stepRange(opts)
      const generator = new PatternGenerator({
        ...(await keySource(opts)),
        algorithm: opts.algorithm,
        phaseResetInterval: opts.phaseReset,
        cacheSize: 1,
      })
      const format = opts.json === true ? formatRowJson : textFormatter(generator, to)
      let chunk: string[] = []
      for (const row of patternRows(generator, from, to, opts.digits)) {
        chunk.push(format(row))
        if (chunk.length === LINES_PER_WRITE) {
          ctx.io.stdout.write(chunk.join(''))
          chunk = []
        }
      }
      if (chunk.length > 0) ctx.io.stdout.write(chunk.join(''))
    })
}

/** The inclusive step range asked for; throws UsageError naming the flags when it is wrong. */
export function stepRange(opts: Pick<PatternOptions, 'step' | 'from' | 'to'>): [number, number] {
  if (opts.step !== undefined) return [opts.step, opts.step]
  if (opts.from === undefined && opts.to === undefined) {
    throw new UsageError('give the steps to print: --step N, or --from A --to B')
  }
  if (opts.from === undefined) throw new UsageError('--to needs --from')
  if (opts.to === undefined) throw new UsageError('--from needs --to')
  if (opts.to < opts.from)
    throw new UsageError(`--to (${opts.to}) must not be below --from (${opts.from})`)
  const count = opts.to - opts.from + 1
  if (count > MAX_PATTERN_STEPS) {
    throw new UsageError(
      `--from ${opts.from} --to ${opts.to} spans ${count} steps; at most ${MAX_PATTERN_STEPS} per call`,
    )
  }
  return [opts.from, opts.to]
}

async function keySource(
  opts: PatternOptions,
): Promise<Pick<PatternGeneratorInit, 'key' | 'seed'>> {
  if (opts.keyHex !== undefined) return { key: parseNetworkKey(opts.keyHex, '--key-hex') }
  if (opts.keyFile !== undefined) return { key: await readNetworkKeyFile(opts.keyFile) }
  if (opts.seed !== undefined) {
    if (opts.seed.length === 0) throw new UsageError('--seed must not be empty')
    return { seed: opts.seed }
  }
  throw new UsageError('give a key: --key-hex HEX, --key-file FILE or --seed S')
}

export function* patternRows(
  generator: PatternGenerator,
  from: number,
  to: number,
  digits?: number,
): Generator<PatternRow> {
  for (let step = from; step <= to; step++) {
    // Printing is a one-off walk over the steps: derive without filling the cache.
    const { phase, value } = generator.entry(step, { cache: false })
    const row: PatternRow = { step, phase, value }
    if (digits !== undefined) row.code = formatCode(value, digits)
    yield row
  }
}

export function formatRowJson(row: PatternRow): string {
  return JSON.stringify(row) + '\n'
}

/** `step 0  phase 0  value 1284755224  code 755224`, columns padded to the widest of the range. */
function textFormatter(generator: PatternGenerator, lastStep: number): (row: PatternRow) => string {
  const stepWidth = String(lastStep).length
  const phaseWidth = String(generator.phase(lastStep)).length
  return (row) => {
    let line = `step ${String(row.step).padStart(stepWidth)}  phase ${String(row.phase).padStart(phaseWidth)}`
    line += `  value ${String(row.value).padStart(VALUE_WIDTH)}`
    if (row.code !== undefined) line += `  code ${row.code}`
    return line + '\n'
  }
}
