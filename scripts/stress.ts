/**
 * Stress runs, not part of `npm test`: `npm run stress -- roles [runs] [--verbose]` runs the
 * `roles-stress` scenario (`--seed N`: the first run's seed, the shipped one by default) (issue 12.8: nine members, random topology of three peers, latency,
 * loss, attackers, a killed and restarted principal, a partition) `runs` times (default 20),
 * each with its own seed, and counts the runs that end with more than one principal named.
 * Exit code 1 if any did. In-process simulations, one after the other.
 */
import '../src/compat.js'
import { Writable } from 'node:stream'
import { pino } from 'pino'
import { computeFigures, evaluate } from '../src/sim/expectations.js'
import { simulationRun } from '../src/sim/simulate.js'
import { loadScenario } from '../src/sim/scenario.js'
import { principalAt } from '../src/sim/timeline-state.js'
import { packageInfo } from '../src/util/package-root.js'
import { join } from 'node:path'

const DEFAULT_RUNS = 20

/** Role log lines of a run (principal changes, claims, refusals), kept for a failing run. */
function roleLog(): { logger: pino.Logger; lines: string[] } {
  const lines: string[] = []
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split('\n')) {
        if (line.includes('"component":"roles"')) lines.push(line)
      }
      done()
    },
  })
  return { logger: pino({ level: 'debug' }, sink), lines }
}

async function stressRoles(runs: number, verbose: boolean, firstSeed?: number): Promise<number> {
  const shipped = await loadScenario(join(packageInfo().root, 'simulations/roles-stress.json'))
  let split = 0
  for (let i = 0; i < runs; i++) {
    const scenario = { ...shipped, seed: (firstSeed ?? shipped.seed) + i }
    const { logger, lines } = roleLog()
    const started = Date.now()
    let record
    try {
      record = await simulationRun(scenario, 'in-process', verbose ? { logger } : {}).run()
    } catch (err) {
      // A mesh that never formed (no single principal within the formation deadline) fails too.
      split++
      process.stdout.write(
        `run ${String(i + 1).padStart(2)}/${runs} seed ${scenario.seed}: FAILED: ${String(err)}\n`,
      )
      if (verbose) for (const line of lines) process.stdout.write(`  ${line}\n`)
      continue
    }
    const figures = computeFigures(record)
    const single = evaluate(scenario.expect, record, figures).find(
      (e) => e.name === 'singlePrincipal',
    )
    const ok = single?.passed === true
    if (!ok) split++
    process.stdout.write(
      `run ${String(i + 1).padStart(2)}/${runs} seed ${scenario.seed}: ${ok ? 'one principal' : `MORE THAN ONE (${single?.actual ?? '?'})`} ` +
        `(${((Date.now() - started) / 1000).toFixed(1)} s, formed in ${(figures.formMs / 1000).toFixed(1)} s)\n`,
    )
    if (ok) continue
    // Who names whom at the end, by node name; then the role log with names for peer ids.
    const names = new Map(record.members.map((m) => [m.peerId, `n${m.index}`]))
    const name = (id: unknown): string =>
      typeof id === 'string' ? (names.get(id) ?? id.slice(-6)) : String(id)
    for (const m of record.members) {
      if (m.observer) continue
      const principal = principalAt(record.recorder.principals, m.index, record.endAt)
      process.stdout.write(`  n${m.index} names ${name(principal)}\n`)
    }
    if (!verbose) continue
    const t0 = record.timelineStartAt
    const events = lines.map((line) => JSON.parse(line) as Record<string, unknown>)
    for (const mark of record.recorder.marks)
      events.push({ time: mark.at, msg: `—— ${mark.label}`, self: '' })
    events.sort((a, b) => (a.time as number) - (b.time as number))
    for (const entry of events) {
      const { time, msg, self, level: _l, pid: _p, hostname: _h, component: _c, ...rest } = entry
      const fields = Object.entries(rest)
        .map(([k, v]) => `${k}=${Array.isArray(v) ? v.map(name).join('/') : name(v)}`)
        .join(' ')
      const at = (((time as number) - t0) / 1000).toFixed(2).padStart(6)
      process.stdout.write(`  ${at} s ${name(self)}: ${String(msg)} ${fields}\n`)
    }
  }
  process.stdout.write(`\nroles: ${split} of ${runs} runs ended with more than one principal\n`)
  return split === 0 ? 0 : 1
}

async function main(args: string[]): Promise<number> {
  const seedAt = args.indexOf('--seed')
  const seedArg = seedAt >= 0 ? args[seedAt + 1] : undefined
  const positional = args.filter((a, i) => !a.startsWith('--') && (seedAt < 0 || i !== seedAt + 1))
  const [target, ...rest] = positional
  const verbose = args.includes('--verbose')
  const firstSeed = seedArg === undefined ? undefined : Number(seedArg)
  if (firstSeed !== undefined && !Number.isSafeInteger(firstSeed)) {
    process.stderr.write(`stress: --seed needs an integer, got ${String(seedArg)}\n`)
    return 2
  }
  if (target !== 'roles') {
    process.stderr.write(`stress: unknown target ${String(target)}; known: roles\n`)
    return 2
  }
  const runs = rest[0] === undefined ? DEFAULT_RUNS : Number(rest[0])
  if (!Number.isInteger(runs) || runs < 1) {
    process.stderr.write(`stress: runs must be a positive integer, got ${String(rest[0])}\n`)
    return 2
  }
  return await stressRoles(runs, verbose, firstSeed)
}

process.exitCode = await main(process.argv.slice(2))
