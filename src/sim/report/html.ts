/**
 * `report.html`: one self-contained page with timelines drawn as inline SVG (global step per
 * node, principal over time, anomalies), the expectations and the figures. No scripts.
 */
import { memberName, type RunRecord } from '../expectations.js'
import type { SimulationReport } from './report.js'

const WIDTH = 900
/** Step samples come every 250 ms: a longer silence means the node was down. */
const SAMPLE_GAP_MS = 1000
const PALETTE = [
  '#1f77b4',
  '#ff7f0e',
  '#2ca02c',
  '#d62728',
  '#9467bd',
  '#8c564b',
  '#e377c2',
  '#7f7f7f',
  '#bcbd22',
  '#17becf',
]

/**
 * The charts' time axis: from the recorder's start (formation included, shaded) to the end;
 * labelled in scenario seconds, so a `kill` at 6 in the scenario file shows at 6 s.
 */
interface TimeScale {
  x: (t: number) => number
  /** When the recorder started: the left edge. */
  start: number
  /** When the mesh had formed and the scenario's timeline started: 0 s. */
  zero: number
  end: number
}

export function renderHtml(report: SimulationReport, record: RunRecord): string {
  const t0 = record.recorder.startedAt
  const t1 = Math.max(record.endAt, t0 + 1)
  const x = (t: number): number => 60 + ((t - t0) / (t1 - t0)) * (WIDTH - 80)
  const scale: TimeScale = { x, start: t0, zero: record.timelineStartAt, end: t1 }
  const seconds = (t: number): string => ((t - scale.zero) / 1000).toFixed(1)
  const names = new Map(record.members.map((m) => [m.peerId, memberName(record, m.index)]))
  const attackers = new Map(record.attacks.map((a) => [a.peerId, `${a.kind}`]))
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>patternmesh simulation: ${esc(report.scenario)}</title>
<style>
body{font:14px/1.4 system-ui,sans-serif;margin:24px;color:#222;max-width:960px}
h1{font-size:20px}h2{font-size:16px;margin-top:28px}
table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:4px 8px;text-align:left}
.pass{color:#1a7f37;font-weight:600}.fail{color:#cf222e;font-weight:600}
svg{background:#fafafa;border:1px solid #ddd}td code{word-break:break-all}text{font-size:11px;fill:#444}
</style></head><body>
<h1>Simulation <code>${esc(report.scenario)}</code>: <span class="${report.passed ? 'pass' : 'fail'}">${report.passed ? 'PASSED' : 'FAILED'}</span></h1>
<p>${esc(report.mode)} run of ${report.durationS} s, started ${esc(report.startedAt)}; ${report.figures.nodes} nodes and ${report.figures.observers} observer(s). The mesh formed in ${report.figures.formMs} ms (shaded); times are from the end of formation, when the scenario's timeline starts.</p>
<h2>Expectations</h2>
<table><tr><th>result</th><th>expectation</th><th>expected</th><th>measured</th></tr>
${report.expectations.map((e) => `<tr><td class="${e.passed ? 'pass' : 'fail'}">${e.passed ? 'PASS' : 'FAIL'}</td><td>${esc(e.name)}</td><td>${esc(e.expected)}</td><td>${esc(e.actual)}</td></tr>`).join('\n')}
</table>
<h2>Figures</h2>
<table>${Object.entries(report.figures)
    .map(
      ([k, v]) =>
        `<tr><td>${esc(k)}</td><td><code>${esc(typeof v === 'object' ? JSON.stringify(v) : String(v))}</code></td></tr>`,
    )
    .join('\n')}</table>
<h2>Global step per node</h2>
${stepChart(record, scale)}
<h2>Principal over time</h2>
${principalChart(record, scale, names)}
<h2>Anomalies</h2>
${anomalyChart(record, scale, names, attackers)}
<h2>Events</h2>
<ul><li>${seconds(scale.zero)} s: mesh formed, timeline starts</li>${record.recorder.marks.map((m) => `<li>${seconds(m.at)} s: ${esc(m.label)}</li>`).join('')}</ul>
</body></html>
`
}

/** The formation band, and a dashed line at each timeline event. */
function marks(record: RunRecord, scale: TimeScale, height: number): string {
  const { x } = scale
  const formed = x(scale.zero) - x(scale.start)
  const band =
    formed < 1
      ? ''
      : `<rect x="${x(scale.start)}" y="0" width="${formed.toFixed(1)}" height="${height - 18}" fill="#ececec"><title>forming</title></rect>` +
        (formed > 50
          ? `<text x="${(x(scale.start) + formed / 2).toFixed(1)}" y="9" text-anchor="middle">forming</text>`
          : '')
  return `${band}${record.recorder.marks
    .map(
      (m) =>
        `<line x1="${x(m.at)}" x2="${x(m.at)}" y1="10" y2="${height - 20}" stroke="#999" stroke-dasharray="3,3"><title>${esc(m.label)}</title></line>`,
    )
    .join('')}`
}

/** Ticks in scenario seconds (negative during formation), about ten of them. */
function axis(scale: TimeScale, height: number): string {
  const every = Math.max(1, Math.ceil((scale.end - scale.start) / 1000 / 10))
  const first = Math.ceil((scale.start - scale.zero) / 1000 / every) * every
  const ticks: string[] = []
  for (let s = first; scale.zero + s * 1000 <= scale.end; s += every)
    ticks.push(
      `<text x="${scale.x(scale.zero + s * 1000).toFixed(1)}" y="${height - 5}" text-anchor="middle">${s}s</text>`,
    )
  return ticks.join('')
}

function stepChart(record: RunRecord, scale: TimeScale): string {
  const { x } = scale
  const height = 220
  const samples = record.recorder.steps
  if (samples.length === 0) return '<p>No samples.</p>'
  const steps = samples.map(([, , s]) => s)
  const lo = Math.min(...steps)
  const hi = Math.max(...steps, lo + 1)
  const y = (s: number): number => height - 30 - ((s - lo) / (hi - lo)) * (height - 50)
  // One line per stretch of samples: a node killed and restarted leaves a gap, not a bridge.
  const segments: Array<{ node: number; points: Array<[number, number]> }> = []
  const lastOf = new Map<number, { node: number; points: Array<[number, number]> }>()
  for (const [t, node, step] of samples) {
    let segment = lastOf.get(node)
    const previous = segment?.points.at(-1)
    if (segment === undefined || (previous !== undefined && t - previous[0] > SAMPLE_GAP_MS)) {
      segment = { node, points: [] }
      segments.push(segment)
      lastOf.set(node, segment)
    }
    segment.points.push([t, step])
  }
  const lines = segments
    .map(
      ({ node, points }) =>
        `<polyline fill="none" stroke="${PALETTE[node % PALETTE.length]}" stroke-width="1.5" points="${points.map(([t, s]) => `${x(t).toFixed(1)},${y(s).toFixed(1)}`).join(' ')}"><title>${memberName(record, node)}</title></polyline>`,
    )
    .join('')
  return `<svg width="${WIDTH}" height="${height}" role="img" aria-label="global step per node">${marks(record, scale, height)}${lines}
<text x="5" y="${y(hi)}">${hi - lo > 0 ? `+${hi - lo}` : ''}</text><text x="5" y="${y(lo)}">${lo}</text>${axis(scale, height)}</svg>`
}

function principalChart(record: RunRecord, scale: TimeScale, names: Map<string, string>): string {
  const { x } = scale
  const rowHeight = 14
  const nodes = [...new Set(record.recorder.principals.map(([, n]) => n))].sort((a, b) => a - b)
  const height = nodes.length * rowHeight + 40
  const colour = new Map<string, string>()
  const bands: string[] = []
  nodes.forEach((node, row) => {
    const changes = record.recorder.principals.filter(([, n]) => n === node)
    changes.forEach(([t, , principal], i) => {
      const next = changes[i + 1]?.[0] ?? record.endAt
      // A killed node names nobody: its band stops when it dies.
      const death = record.life.find(
        (e) => e.node === node && !e.alive && e.at >= t && e.at < next,
      )?.at
      const end = death ?? next
      if (principal === null) return
      if (!colour.has(principal)) colour.set(principal, PALETTE[colour.size % PALETTE.length]!)
      bands.push(
        `<rect x="${x(t)}" y="${10 + row * rowHeight}" width="${Math.max(1, x(end) - x(t))}" height="${rowHeight - 3}" fill="${colour.get(principal)}"><title>${memberName(record, node)} names ${esc(names.get(principal) ?? principal)}</title></rect>`,
      )
    })
    bands.push(`<text x="5" y="${20 + row * rowHeight}">${memberName(record, node)}</text>`)
  })
  const legend = [...colour.entries()]
    .map(([p, c]) => `<span style="color:${c}">■</span> ${esc(names.get(p) ?? p.slice(-8))}`)
    .join(' &nbsp; ')
  return `<svg width="${WIDTH}" height="${height}" role="img" aria-label="principal named by each node">${marks(record, scale, height)}${bands.join('')}${axis(scale, height)}</svg><p>${legend}</p>`
}

function anomalyChart(
  record: RunRecord,
  scale: TimeScale,
  names: Map<string, string>,
  attackers: Map<string, string>,
): string {
  const { x } = scale
  const detections = record.recorder.detections
  if (detections.length === 0) return '<p>None recorded.</p>'
  const kinds = [...new Set(detections.map((d) => d.kind))].sort()
  const height = kinds.length * 18 + 40
  const dots = detections
    .slice(0, 5000)
    .map((d) => {
      const row = kinds.indexOf(d.kind)
      const who = attackers.get(d.peerId) ?? names.get(d.peerId) ?? d.peerId.slice(-8)
      return `<circle cx="${x(d.at).toFixed(1)}" cy="${16 + row * 18}" r="3" fill="${attackers.has(d.peerId) ? '#d62728' : '#ff7f0e'}"><title>${esc(d.kind)} against ${esc(who)}</title></circle>`
    })
    .join('')
  const labels = kinds.map((k, row) => `<text x="5" y="${20 + row * 18}">${esc(k)}</text>`).join('')
  return `<svg width="${WIDTH}" height="${height}" role="img" aria-label="anomalies over time">${marks(record, scale, height)}${labels}${dots}${axis(scale, height)}</svg>
<p><span style="color:#d62728">●</span> against an attacker &nbsp; <span style="color:#ff7f0e">●</span> against a member</p>`
}

function esc(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`)
}
