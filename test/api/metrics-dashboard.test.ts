/**
 * deploy/grafana-dashboard.json is importable (a datasource input, schemaVersion 39, panels
 * with ids and targets) and graphs only metrics a real peer's /metrics serves.
 */
import { readFileSync } from 'node:fs'
import { afterEach, describe, expect, it } from 'vitest'
import { MeshFixture, connect } from '../helpers/mesh.js'
import { until } from '../helpers/until.js'
import { ApiFixture, withProviders } from './helpers.js'
import { scrape, type Family } from './metrics-text.js'

const fixture = new MeshFixture()
const apis = new ApiFixture()
afterEach(async () => {
  await apis.stopAll()
  await fixture.stopAll()
})

interface Panel {
  id: number
  type: string
  title: string
  datasource?: { type: string; uid: string }
  targets?: Array<{ expr: string; refId: string; datasource?: { uid: string } }>
}

const dashboard = JSON.parse(
  readFileSync(new URL('../../deploy/grafana-dashboard.json', import.meta.url), 'utf8'),
) as {
  __inputs: Array<{ name: string; type: string; pluginId: string }>
  schemaVersion: number
  panels: Panel[]
  templating: { list: Array<{ name: string; query: { query: string } }> }
}
const graphs = dashboard.panels.filter((panel) => panel.type !== 'row')

/** Names of the series an expression reads (PromQL functions and labels are not metrics). */
function metricNames(expr: string): string[] {
  // Label matchers and `by (…)` clauses name labels, not series.
  const series = expr.replace(/\{[^}]*\}/g, '').replace(/\b(by|without)\s*\([^)]*\)/g, '')
  return [...new Set(series.match(/\b(patternmesh|libp2p|nodejs|process)_[a-zA-Z0-9_]*/g) ?? [])]
}

function served(families: Map<string, Family>, name: string): boolean {
  if (families.has(name)) return true
  const base = name.replace(/_(bucket|sum|count)$/, '')
  return base !== name && families.get(base)?.type === 'histogram'
}

const README = readFileSync(new URL('../../README.md', import.meta.url), 'utf8')

/**
 * The README's metrics table: per row, the names it gives in full and the ones it shortens
 * (`patternmesh_roles_claims_adopted_total`, `…_claims_refused_total`).
 */
function readmeMetricRows(): Array<{ full: string[]; short: string[] }> {
  const section = /^### The metrics\n([\s\S]*?)^### /m.exec(README)?.[1] ?? ''
  const rows = section.split('\n').filter((line) => line.startsWith('| `'))
  return rows.map((row) => {
    const names = [...row.split('|')[1]!.matchAll(/`([^`{]+)(?:\{[^`]*\})?`/g)].map((m) => m[1]!)
    return {
      full: names.filter((name) => !name.startsWith('…_')),
      short: names.filter((name) => name.startsWith('…_')).map((name) => name.slice(2)),
    }
  })
}

/** A shortened name in full: the row's first name with its tail replaced, the served one. */
function expand(first: string, tail: string, families: Map<string, Family>): string | undefined {
  const parts = first.split('_')
  for (let keep = parts.length - 1; keep >= 1; keep--) {
    const name = `${parts.slice(0, keep).join('_')}_${tail}`
    if (families.has(name)) return name
  }
  return undefined
}

/** Two connected peers with every service, and a scrape of the first one's API. */
async function scrapeRealPeer(): Promise<Map<string, Family>> {
  const a = await fixture.node({ heartbeatIntervalMs: 150 }, { services: {} })
  const b = await fixture.node({ heartbeatIntervalMs: 150 }, { services: {} })
  await connect(b, a)
  await until(() => (a.members?.members().length ?? 0) === 1, { message: 'b a member of a' })
  const api = await apis.start(withProviders(a, {}))
  await fetch(api.url('/health'))
  await until(async () => (await scrape(api)).has('libp2p_data_transfer_bytes_total'), {
    message: 'libp2p bytes counted',
  })
  return await scrape(api)
}

describe("the README's metrics table", () => {
  it('names every patternmesh_* metric a real peer serves, and only those', async () => {
    const families = await scrapeRealPeer()
    const documented = new Set<string>()
    const unknown: string[] = []
    for (const { full, short } of readmeMetricRows()) {
      for (const name of full) {
        if (!name.startsWith('patternmesh_')) continue
        documented.add(name)
        if (!families.has(name)) unknown.push(name)
      }
      for (const tail of short) {
        const name = expand(full[0] ?? '', tail, families)
        if (name === undefined) unknown.push(`…_${tail} (after ${full[0]})`)
        else documented.add(name)
      }
    }
    expect(documented.size).toBeGreaterThan(30)
    expect(unknown).toEqual([])
    const served = [...families.keys()].filter((name) => name.startsWith('patternmesh_'))
    expect(served.filter((name) => !documented.has(name))).toEqual([])
  })
})

describe('deploy/grafana-dashboard.json', () => {
  it('is an importable dashboard: datasource input, schema 39, panels with ids and targets', () => {
    expect(dashboard.__inputs).toContainEqual(
      expect.objectContaining({
        name: 'DS_PROMETHEUS',
        type: 'datasource',
        pluginId: 'prometheus',
      }),
    )
    expect(dashboard.schemaVersion).toBe(39)
    const ids = dashboard.panels.map((panel) => panel.id)
    expect(new Set(ids).size).toBe(ids.length)
    expect(graphs.length).toBeGreaterThanOrEqual(15)
    for (const panel of graphs) {
      expect(panel.datasource?.uid, panel.title).toBe('${DS_PROMETHEUS}')
      expect(panel.targets?.length, panel.title).toBeGreaterThan(0)
    }
  })

  it('graphs the metrics an operator watches (issue 15: members to gossipsub)', () => {
    const graphed = new Set(
      graphs
        .flatMap((panel) => (panel.targets ?? []).flatMap((target) => metricNames(target.expr)))
        .map((name) => name.replace(/_(bucket|sum|count)$/, '')),
    )
    const watched = [
      'patternmesh_members',
      'patternmesh_roles_term',
      'patternmesh_roles_is_principal',
      'patternmesh_roles_principal_changes_total',
      'patternmesh_roles_claims_sent_total',
      'patternmesh_advice',
      'patternmesh_advice_antientropy_bytes_total',
      'patternmesh_membership_heartbeat_interval_seconds',
      'patternmesh_verify_duration_seconds',
      'patternmesh_outbound_queue_depth',
      'nodejs_eventloop_lag_seconds',
      'libp2p_connection_manager_connections',
      'libp2p_protocol_streams_total',
      'patternmesh_gossip_mesh_peers',
      'patternmesh_gossip_peer_score',
      'patternmesh_gossip_graylisted_peers',
    ]
    expect(watched.filter((name) => !graphed.has(name))).toEqual([])
  })

  it('graphs only metrics a real peer serves on /metrics', async () => {
    const families = await scrapeRealPeer()
    const exprs = [
      ...graphs.flatMap((panel) => (panel.targets ?? []).map((target) => target.expr)),
      ...dashboard.templating.list.map((variable) => variable.query.query),
    ]
    const missing: string[] = []
    for (const expr of exprs) {
      const names = metricNames(expr)
      expect(names.length, expr).toBeGreaterThan(0)
      for (const name of names) if (!served(families, name)) missing.push(`${name} (${expr})`)
    }
    expect(missing).toEqual([])
  })
})
