import { describe, expect, it } from 'vitest'
import type { RunRecord } from '../../src/sim/expectations.js'
import { Recorder } from '../../src/sim/recorder.js'
import { renderHtml } from '../../src/sim/report/html.js'
import type { SimulationReport } from '../../src/sim/report/report.js'

/** A run whose mesh took 4 s to form, then a kill at 6 s of the scenario's timeline. */
function run(): { report: SimulationReport; record: RunRecord } {
  const recorder = new Recorder()
  const t0 = recorder.startedAt
  const zero = t0 + 4_000
  recorder.marks.push({ at: zero + 6_000, kind: 'kill', label: 'kill n0' })
  recorder.steps.push([zero + 1_000, 0, 101], [zero + 1_250, 0, 101], [zero + 1_500, 0, 102])
  // Down from 2 s to 5 s: a gap in its line.
  recorder.steps.push([zero + 5_000, 0, 105], [zero + 5_250, 0, 106])
  recorder.principal(0, 'P', zero)
  recorder.principal(1, 'P', zero)
  const record: RunRecord = {
    recorder,
    members: [
      { index: 0, peerId: 'P', observer: false },
      { index: 1, peerId: 'O', observer: true },
    ],
    attacks: [],
    life: [],
    endAt: zero + 10_000,
    formMs: 4_000,
    timelineStartAt: zero,
    advice: [],
  }
  const report = {
    scenario: 'tiny',
    passed: true,
    mode: 'in-process',
    startedAt: new Date(t0).toISOString(),
    durationS: 10,
    expectations: [],
    figures: { nodes: 1, observers: 0, formMs: 4_000 },
  } as unknown as SimulationReport
  return { report, record }
}

describe('report.html', () => {
  it('times events from the end of formation, as the scenario file does', () => {
    const { report, record } = run()
    const html = renderHtml(report, record)
    expect(html).toContain('<li>0.0 s: mesh formed, timeline starts</li>')
    expect(html).toContain('<li>6.0 s: kill n0</li>')
    expect(html).toContain('The mesh formed in 4000 ms (shaded)')
  })

  it('shades the formation and labels the axis in scenario seconds, negative before it', () => {
    const { report, record } = run()
    const html = renderHtml(report, record)
    const steps = /<svg[^>]*aria-label="global step per node">([\s\S]*?)<\/svg>/.exec(html)![1]!
    expect(steps).toMatch(/<rect [^>]*fill="#ececec"><title>forming<\/title><\/rect>/)
    const labels = [...steps.matchAll(/text-anchor="middle">(-?\d+)s<\/text>/g)].map((m) => m[1])
    expect(labels).toEqual(['-4', '-2', '0', '2', '4', '6', '8', '10'])
  })

  it('breaks the step line of a node where it was down', () => {
    const { report, record } = run()
    const html = renderHtml(report, record)
    expect(html.match(/<polyline [^>]*><title>n0<\/title>/g)).toHaveLength(2)
  })

  it('names members n0… and observers obs0…, as the simulation does', () => {
    const { report, record } = run()
    const html = renderHtml(report, record)
    const principals = /aria-label="principal named by each node">([\s\S]*?)<\/svg>/.exec(html)![1]!
    expect([...principals.matchAll(/<text x="5"[^>]*>(\w+)<\/text>/g)].map((m) => m[1])).toEqual([
      'n0',
      'obs0',
    ])
  })

  it('draws no formation band when the timeline started with the recorder', () => {
    const { report, record } = run()
    const html = renderHtml(report, { ...record, timelineStartAt: record.recorder.startedAt })
    expect(html).not.toContain('<title>forming</title>')
  })
})
