/** `patternmesh simulate <scenario.json>`: a whole mesh with faults and attackers (DESIGN §11). */
import type { Command } from 'commander'
import {
  findScenario,
  formatTable,
  loadScenario,
  progressPrinter,
  runSimulation,
  type ProgressStream,
} from '../../sim/index.js'
import type { CliContext } from '../context.js'
import { EXIT_FAILURE } from '../io.js'
import { integerIn, nonNegativeInteger } from '../parse.js'

interface SimulateFlags {
  nodes?: number
  duration?: number
  seed?: number
  out?: string
  processes?: boolean
  json?: boolean
}

export function registerSimulate(program: Command, ctx: CliContext): void {
  program
    .command('simulate')
    .argument(
      '<scenario>',
      'scenario file (JSON), or the name of a shipped one (demo, failover, partition-heal, …)',
    )
    .description('run a local mesh with faults and attackers, and judge it against the scenario')
    .option('--nodes <n>', 'override the number of nodes', integerIn(1, 500))
    .option('--duration <s>', 'override the run time in seconds', integerIn(1, 3600))
    .option('--seed <n>', 'override the seed (topology, traffic)', nonNegativeInteger)
    .option('--out <dir>', 'write report.json and report.html to DIR')
    .option('--processes', 'run real daemons over TCP on 127.0.0.1 instead of in-process nodes')
    .option('--json', 'print report.json to stdout instead of the table')
    .addHelpText(
      'after',
      `
Exit code 0 when every expectation holds, 1 when one fails, 2 for a bad scenario file.

A path is read from the current directory, else from the package (simulations/demo.json works
anywhere); a bare name is a shipped scenario. The progress line is rewritten in place on a
terminal, and written every 5 s to a file or a pipe.

Examples:
  $ patternmesh simulate demo --out reports/demo
  $ patternmesh simulate failover --processes
  $ patternmesh simulate ./my-scenario.json --nodes 20`,
    )
    .action(async (path: string, flags: SimulateFlags) => {
      const scenario = await loadScenario(await findScenario(path), {
        ...(flags.nodes !== undefined ? { nodes: flags.nodes } : {}),
        ...(flags.duration !== undefined ? { duration: flags.duration } : {}),
        ...(flags.seed !== undefined ? { seed: flags.seed } : {}),
      })
      // process.stderr from the executable (a terminal or not); a string sink in tests.
      const progress = progressPrinter(ctx.io.stderr as ProgressStream)
      const outcome = await runSimulation(scenario, {
        mode: flags.processes === true ? 'processes' : 'in-process',
        ...(flags.out !== undefined ? { outDir: flags.out } : {}),
        progress: (line) => progress.update(line),
      }).finally(() => progress.done())
      ctx.io.stdout.write(
        flags.json === true
          ? JSON.stringify(outcome.report, null, 2) + '\n'
          : formatTable(outcome.report),
      )
      if (outcome.files !== undefined && flags.json !== true) {
        ctx.io.stdout.write(`\nreport: ${outcome.files.html}\n        ${outcome.files.json}\n`)
      }
      if (!outcome.report.passed) ctx.exitCode = EXIT_FAILURE
    })
}
