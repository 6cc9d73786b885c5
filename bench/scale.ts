/**
 * Scale: the shipped `scale-100` scenario (100 in-process MeshNodes over the memory transport,
 * six random peers each, light traffic) with the principal killed KILLS times, 10 s apart.
 * Prints the time to form, RSS in total and per node, delivery, reach-all latency of a
 * broadcast and every failover, and holds them against the targets.
 */
import { join } from 'node:path'
import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks'
import { computeFigures, type Figures } from '../src/sim/expectations.js'
import { loadScenario, type Scenario } from '../src/sim/scenario.js'
import { simulationRun } from '../src/sim/simulate.js'
import { packageInfo } from '../src/util/package-root.js'
import { table, type BenchCheck, type BenchContext, type BenchModule } from './harness.js'

const KILLS = 6
const KILL_EVERY_S = 10
const RSS_TARGET_BYTES = 2 ** 30
const FAILOVER_TARGET_MS = 2000

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)]!
}

const mib = (bytes: number): string => (bytes / 2 ** 20).toFixed(1)
const ms = (nanoseconds: number): string => (nanoseconds / 1e6).toFixed(0)

/** The shipped scenario, its timeline replaced by KILLS principal kills. */
async function scenario(): Promise<Scenario> {
  const shipped = await loadScenario(join(packageInfo().root, 'simulations/scale-100.json'))
  return {
    ...shipped,
    duration: KILL_EVERY_S * (KILLS + 1),
    timeline: Array.from({ length: KILLS }, (_, i) => ({
      at: KILL_EVERY_S * (i + 1),
      action: 'kill' as const,
      node: 'principal' as const,
    })),
  }
}

function print(ctx: BenchContext, f: Figures, rssBefore: number, loop: IntervalHistogram): void {
  const nodes = f.nodes + f.observers
  const peak = f.peakRssBytes ?? 0
  for (const line of table(
    ['figure', 'value'],
    [
      ['nodes', String(nodes)],
      ['time to form', `${(f.formMs / 1000).toFixed(1)} s`],
      [
        'connections per node min / median / max',
        f.connectionsPerNode === null
          ? 'n/a'
          : `${f.connectionsPerNode.min} / ${f.connectionsPerNode.median} / ${f.connectionsPerNode.max}`,
      ],
      ['RSS before the nodes', `${mib(rssBefore)} MiB`],
      ['peak RSS, total', `${mib(peak)} MiB`],
      ['peak RSS a node (above the bare process)', `${mib((peak - rssBefore) / nodes)} MiB`],
      ['messages sent', String(f.messagesSent)],
      ['delivery ratio', f.deliveryRatio.toFixed(4)],
      ['delivery latency p50 / p99', `${f.latencyP50Ms} / ${f.latencyP99Ms} ms`],
      ['reach-all latency p50 / p99', `${f.reachAllP50Ms} / ${f.reachAllP99Ms} ms`],
      ['failovers', f.failoverMs.map((ms) => `${Math.round(ms)}`).join(', ') + ' ms'],
      [
        'anomalies',
        Object.entries(f.anomaliesByKind)
          .map(([kind, n]) => `${kind} ${n}`)
          .join(', ') || 'none',
      ],
      ['false positives', String(f.falsePositives)],
      // The one thread all 100 nodes share: how late its timers ran (stalls make peers late).
      [
        'event-loop delay p50 / p99 / max',
        `${ms(loop.percentile(50))} / ${ms(loop.percentile(99))} / ${ms(loop.max)} ms`,
      ],
    ],
  ))
    ctx.log(line)
}

export const scaleBench: BenchModule = {
  name: 'scale',
  title: `scale-100: 100 MeshNodes in one process, ${KILLS} principal kills ${KILL_EVERY_S} s apart`,
  async run(ctx: BenchContext): Promise<BenchCheck[]> {
    ctx.gc()
    const rssBefore = process.memoryUsage.rss()
    const loop = monitorEventLoopDelay({ resolution: 10 })
    loop.enable()
    const record = await simulationRun(await scenario(), 'in-process', {
      progress: (line) => process.stderr.write(`\r  ${line.padEnd(78)}`),
    })
      .run()
      .finally(() => loop.disable())
    process.stderr.write('\n')
    const f = computeFigures(record)
    print(ctx, f, rssBefore, loop)
    const peak = f.peakRssBytes ?? Number.POSITIVE_INFINITY
    const failoverP99 =
      f.failoverMs.length === 0 ? Number.POSITIVE_INFINITY : percentile(f.failoverMs, 0.99)
    const failoverP50 =
      f.failoverMs.length === 0 ? Number.POSITIVE_INFINITY : percentile(f.failoverMs, 0.5)
    ctx.log(`failover p50 ${Math.round(failoverP50)} ms, p99 ${Math.round(failoverP99)} ms`)
    return [
      {
        name: 'scale-100 peak RSS (100 nodes)',
        target: '< 1,024 MiB',
        actual: `${mib(peak)} MiB`,
        passed: peak < RSS_TARGET_BYTES,
      },
      {
        name: 'scale-100 delivery ratio',
        target: '1.0',
        actual: f.deliveryRatio.toFixed(4),
        passed: f.deliveryRatio >= 1,
      },
      {
        name: `scale-100 failover p99 (${f.failoverMs.length} kills)`,
        target: `≤ ${FAILOVER_TARGET_MS.toLocaleString('en')} ms`,
        actual: `${Math.round(failoverP99)} ms`,
        passed: f.failoverMs.length === KILLS && failoverP99 <= FAILOVER_TARGET_MS,
      },
    ]
  },
}
