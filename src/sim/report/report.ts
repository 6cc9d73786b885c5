import type { ExpectationResult, Figures, RunRecord } from '../expectations.js'
import type { Scenario } from '../scenario.js'

/** `report.json` (DESIGN §11): the contract scripts read. */
export interface SimulationReport {
  scenario: string
  passed: boolean
  mode: 'in-process' | 'processes'
  startedAt: string
  durationS: number
  expectations: ExpectationResult[]
  figures: Figures
}

export function buildReport(
  scenario: Scenario,
  mode: SimulationReport['mode'],
  record: RunRecord,
  expectations: ExpectationResult[],
  figures: Figures,
): SimulationReport {
  return {
    scenario: scenario.name,
    passed: expectations.every((e) => e.passed),
    mode,
    startedAt: new Date(record.recorder.startedAt).toISOString(),
    durationS: scenario.duration,
    expectations,
    figures: jsonSafe(figures),
  }
}

/** JSON has no Infinity: a failover that never happened is reported as null. */
function jsonSafe(figures: Figures): Figures {
  const finite = (values: number[]): number[] =>
    values.map((v) => (Number.isFinite(v) ? Math.round(v) : (null as unknown as number)))
  return {
    ...figures,
    failoverMs: finite(figures.failoverMs),
    healConvergenceMs: finite(figures.healConvergenceMs),
  }
}

/** The final table for the terminal. */
export function formatTable(report: SimulationReport): string {
  const rows = report.expectations.map((e) => [
    e.passed ? 'PASS' : 'FAIL',
    e.name,
    e.expected,
    e.actual,
  ])
  const f = report.figures
  const lines = [
    `scenario ${report.scenario} (${report.mode}, ${report.durationS} s): ${report.passed ? 'PASSED' : 'FAILED'}`,
    '',
    ...columns(['result', 'expectation', 'expected', 'measured'], rows),
    '',
    ...columns(
      ['figure', 'value'],
      [
        ['nodes (+ observers)', `${f.nodes} (+${f.observers})`],
        ['time to form', `${f.formMs} ms`],
        [
          'connections a node, min / median / max',
          f.connectionsPerNode === null
            ? '-'
            : `${f.connectionsPerNode.min} / ${f.connectionsPerNode.median} / ${f.connectionsPerNode.max}`,
        ],
        ['messages sent', String(f.messagesSent)],
        ...(f.directed === null
          ? []
          : [
              [
                'directed: sent / delivered / failed / elsewhere',
                `${f.directed.sent} / ${f.directed.delivered} / ${f.directed.failures} / ${f.directed.misdelivered}`,
              ],
              [
                'directed: received by',
                Object.entries(f.directed.byReceiver)
                  .map(([n, count]) => `${n} ${count}`)
                  .join(', ') || 'none',
              ],
            ]),
        ['delivered twice', String(f.duplicates)],
        ['delivery ratio', f.deliveryRatio.toFixed(4)],
        ['latency p50 / p99', `${f.latencyP50Ms.toFixed(1)} / ${f.latencyP99Ms.toFixed(1)} ms`],
        ['reach-all p50 / p99', `${f.reachAllP50Ms.toFixed(1)} / ${f.reachAllP99Ms.toFixed(1)} ms`],
        [
          'peak RSS',
          f.peakRssBytes === null ? '-' : `${mib(f.peakRssBytes)} MiB, the whole process`,
        ],
        ['principal failover', f.failoverMs.length === 0 ? '-' : f.failoverMs.map(ms).join(', ')],
        [
          'convergence after heal',
          f.healConvergenceMs.length === 0 ? '-' : f.healConvergenceMs.map(ms).join(', '),
        ],
        [
          'anomalies by kind',
          Object.entries(f.anomaliesByKind)
            .map(([k, n]) => `${k} ${n}`)
            .join(', ') || 'none',
        ],
        [
          'attacks detected',
          f.attacks.length === 0
            ? '-'
            : f.attacks.map((a) => `${a.kind} ${a.detected ? 'yes' : 'NO'}`).join(', '),
        ],
        ['false positives', String(f.falsePositives)],
      ],
    ),
  ]
  return lines.join('\n') + '\n'
}

function mib(bytes: number): string {
  return (bytes / 2 ** 20).toFixed(1)
}

function ms(value: number | null): string {
  return value === null || !Number.isFinite(value) ? 'never' : `${Math.round(value)} ms`
}

function columns(header: string[], rows: string[][]): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)))
  const line = (cells: string[]): string =>
    cells
      .map((c, i) => c.padEnd(widths[i]!))
      .join('  ')
      .trimEnd()
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)]
}
