import { runCli } from '../../src/cli/main.js'

export interface CliRun {
  code: number
  stdout: string
  stderr: string
}

/** Runs the CLI in-process and collects what it writes. */
export async function cli(...argv: string[]): Promise<CliRun> {
  const run: CliRun = { code: -1, stdout: '', stderr: '' }
  run.code = await runCli(argv, {
    stdout: { write: (text: string) => (run.stdout += text) },
    stderr: { write: (text: string) => (run.stderr += text) },
  })
  return run
}

/** A usage error: exit 2, one `patternmesh: error:` line on stderr, nothing on stdout. */
export function expectUsageError(run: CliRun, mentions: RegExp | string): void {
  const problems: string[] = []
  if (run.code !== 2) problems.push(`exit code ${run.code}, expected 2`)
  if (run.stdout !== '') problems.push(`stdout not empty: ${JSON.stringify(run.stdout)}`)
  if (!/^patternmesh: error: [^\n]+\n$/.test(run.stderr))
    problems.push(`stderr is not one error line: ${JSON.stringify(run.stderr)}`)
  const found =
    typeof mentions === 'string' ? run.stderr.includes(mentions) : mentions.test(run.stderr)
  if (!found)
    problems.push(`stderr does not mention ${String(mentions)}: ${JSON.stringify(run.stderr)}`)
  if (problems.length > 0) throw new Error(problems.join('; '))
}

export const RFC4226_KEY_HEX = '3132333435363738393031323334353637383930'
export const RFC4226_CODES = [
  '755224',
  '287082',
  '359152',
  '969429',
  '338314',
  '254676',
  '287922',
  '162583',
  '399871',
  '520489',
]
/** The options after the key that print the RFC 4226 values of steps 0–9. */
export const RFC4226_OPTIONS = [
  '--algorithm',
  'sha1',
  '--phase-reset',
  '0',
  '--digits',
  '6',
  '--from',
  '0',
  '--to',
  '9',
]
export const RFC4226_ARGS = ['pattern', '--key-hex', RFC4226_KEY_HEX, ...RFC4226_OPTIONS]
