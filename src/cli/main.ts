/**
 * The `patternmesh` command line. `runCli` parses, runs one command and returns the exit code;
 * it never calls process.exit (the bin does), so every path is testable in-process.
 *
 * Exit codes: 0 success; 1 a command ran and failed (e.g. a demo case got an unexpected
 * verdict, an unexpected error); 2 bad usage or unreadable input, reported as one line
 * `patternmesh: error: ...` on stderr with nothing on stdout.
 */
import { Command, CommanderError } from 'commander'
import { ConfigError, InvalidKeyError, InvalidStepError, UsageError } from '../errors.js'
import { registerAdvise } from './commands/advise.js'
import { registerAttack } from './commands/attack.js'
import { registerDemo } from './commands/demo.js'
import { registerKeygen } from './commands/keygen.js'
import { registerKeys } from './commands/keys.js'
import { registerObserve } from './commands/observe.js'
import { registerPattern } from './commands/pattern.js'
import { registerSend } from './commands/send.js'
import { registerSimulate } from './commands/simulate.js'
import { registerStart } from './commands/start.js'
import { registerStatus } from './commands/status.js'
import { registerTail } from './commands/tail.js'
import { EXIT_FAILURE, EXIT_OK, EXIT_USAGE, PROGRAM_NAME, errorLine, type CliIo } from './io.js'
import type { CliContext } from './context.js'
import { packageVersion } from './version.js'

export type { CliContext } from './context.js'

/** Errors that mean "the input was wrong", not "the program failed": exit 2. */
const USAGE_ERRORS = new Set([
  'ScenarioError',
  UsageError.name,
  InvalidKeyError.name,
  InvalidStepError.name,
  ConfigError.name,
])

export function createProgram(ctx: CliContext): Command {
  const program = new Command(PROGRAM_NAME)
  // Settings first: `.command()` copies them into every subcommand it creates.
  program
    .description('Peer-to-peer mesh daemon with pattern-verified messaging, on js-libp2p.')
    .version(packageVersion(), '-V, --version', 'print the version and exit')
    .helpOption('-h, --help', 'show help for the command')
    .helpCommand('help [command]', 'show help for a command')
    .exitOverride()
    .showSuggestionAfterError(true)
    .configureOutput({
      writeOut: (text) => ctx.io.stdout.write(text),
      writeErr: (text) => ctx.io.stderr.write(text),
      // Commander's messages start with "error: "; ours put the program name first, on one line.
      outputError: (text, write) => write(errorLine(text.replace(/^error:\s*/, ''))),
    })
    .addHelpText(
      'after',
      `
Exit codes: 0 success, 1 failure, 2 bad usage or unreadable input.
Run '${PROGRAM_NAME} <command> --help' for the options of a command.`,
    )
  registerKeygen(program, ctx)
  registerPattern(program, ctx)
  registerDemo(program, ctx)
  registerStart(program, ctx)
  registerAdvise(program, ctx)
  registerKeys(program, ctx)
  registerAttack(program, ctx)
  registerObserve(program, ctx)
  registerStatus(program, ctx)
  registerSend(program, ctx)
  registerTail(program, ctx)
  registerSimulate(program, ctx)
  return program
}

/**
 * Runs the CLI on `argv` (the user's arguments, without `node` and the script) and returns the
 * exit code. Never throws and never exits the process.
 */
export async function runCli(
  argv: string[],
  io: CliIo = { stdout: process.stdout, stderr: process.stderr },
): Promise<number> {
  const ctx: CliContext = { io, exitCode: EXIT_OK }
  try {
    await createProgram(ctx).parseAsync(argv, { from: 'user' })
    return ctx.exitCode
  } catch (err) {
    return exitCodeOf(err, io)
  }
}

function exitCodeOf(err: unknown, io: CliIo): number {
  if (err instanceof CommanderError) {
    // --help and --version end here with exit code 0. Commander already printed its message
    // (through outputError); a bare `patternmesh` printed the help on stderr.
    return err.exitCode === 0 ? EXIT_OK : EXIT_USAGE
  }
  if (err instanceof Error) {
    io.stderr.write(errorLine(err.message))
    return USAGE_ERRORS.has(err.name) ? EXIT_USAGE : EXIT_FAILURE
  }
  io.stderr.write(errorLine(String(err)))
  return EXIT_FAILURE
}
