/**
 * Runs the benchmarks: `npm run bench` runs them all, `npm run bench -- verify` those whose
 * name contains "verify". Each module prints its own table; a summary of the targets closes the
 * run, and the exit code is 1 if any target failed. New benches (network, ...) are one more
 * module in BENCHES.
 */
import '../src/compat.js'
import { cpus } from 'node:os'
import { garbageCollector, table, type BenchCheck, type BenchModule } from './harness.js'
import { adviceBench } from './advice.js'
import { directBench } from './direct.js'
import { deliveryBench } from './delivery.js'
import { failoverBench } from './failover.js'
import { meshThroughputBench } from './mesh-throughput.js'
import { patternMemoryBench } from './pattern-memory.js'
import { scaleBench } from './scale.js'
import { verifyBench } from './verify.js'

const BENCHES: BenchModule[] = [
  verifyBench,
  patternMemoryBench,
  meshThroughputBench,
  failoverBench,
  adviceBench,
  scaleBench,
  directBench,
  deliveryBench,
]

async function main(filters: string[]): Promise<number> {
  const selected =
    filters.length === 0 ? BENCHES : BENCHES.filter((b) => filters.some((f) => b.name.includes(f)))
  if (selected.length === 0) {
    process.stderr.write(
      `bench: no bench matches ${filters.join(', ')}; known: ${BENCHES.map((b) => b.name).join(', ')}\n`,
    )
    return 2
  }
  const exposedGc = typeof (globalThis as { gc?: unknown }).gc === 'function'
  const ctx = {
    log: (line = '') => process.stdout.write(line === '' ? '\n' : `  ${line}\n`),
    gc: garbageCollector(),
  }
  const cpu = cpus()
  process.stdout.write(
    `patternmesh bench: node ${process.version}, ${process.platform}/${process.arch}, ` +
      `${cpu.length} × ${cpu[0]?.model.trim() ?? 'unknown CPU'}, gc ${exposedGc ? 'exposed' : 'enabled at run time'}\n`,
  )

  const checks: BenchCheck[] = []
  for (const bench of selected) {
    const started = performance.now()
    process.stdout.write(`\n[${bench.name}] ${bench.title}\n`)
    checks.push(...(await bench.run(ctx)))
    process.stdout.write(`  (${((performance.now() - started) / 1000).toFixed(1)} s)\n`)
  }

  process.stdout.write('\nsummary\n')
  const rows = checks.map((c) => [c.name, c.target, c.actual, c.passed ? 'PASS' : 'FAIL'])
  for (const line of table(['check', 'target', 'actual', 'result'], rows, 4))
    process.stdout.write(`  ${line}\n`)
  return checks.every((c) => c.passed) ? 0 : 1
}

process.exitCode = await main(process.argv.slice(2))
