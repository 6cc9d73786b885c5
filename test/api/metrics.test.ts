import { afterEach, describe, expect, it } from 'vitest'
import { MeshFixture } from '../helpers/mesh.js'
import { until } from '../helpers/until.js'
import { ApiFixture, meshOf, readReady, type RunningApi } from './helpers.js'

const fixture = new MeshFixture()
const apis = new ApiFixture()
afterEach(async () => {
  await apis.stopAll()
  await fixture.stopAll()
})

interface Family {
  type: string
  help: string
  samples: Array<{ name: string; labels: Record<string, string>; value: number }>
}

const NAME = '[a-zA-Z_:][a-zA-Z0-9_:]*'
// Values as Go's ParseFloat reads them: NaN and Inf in any case (prom-client writes "Nan").
const SAMPLE = new RegExp(`^(${NAME})(?:\\{(.*)\\})? (-?[0-9.eE+-]+|[+-]?inf|nan)(?: \\d+)?$`, 'i')
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g

/**
 * A strict-enough parser of the Prometheus text format 0.0.4: every line is a HELP, a TYPE or
 * a sample; every sample belongs to a family declared by TYPE; every value is a number.
 */
function parsePrometheus(text: string): Map<string, Family> {
  const families = new Map<string, Family>()
  for (const line of text.split('\n')) {
    if (line === '') continue
    const help = /^# HELP (\S+) (.*)$/.exec(line)
    const type = /^# TYPE (\S+) (counter|gauge|histogram|summary|untyped)$/.exec(line)
    if (help !== null) {
      families.set(help[1]!, { type: '', help: help[2]!, samples: [] })
      continue
    }
    if (type !== null) {
      const family = families.get(type[1]!)
      if (family === undefined) throw new Error(`TYPE before HELP: ${line}`)
      family.type = type[2]!
      continue
    }
    const sample = SAMPLE.exec(line)
    if (sample === null) throw new Error(`not a metric line: ${JSON.stringify(line)}`)
    const [, name, rawLabels, rawValue] = sample
    const base = [...families.keys()].find(
      (family) =>
        name === family ||
        (/^_(bucket|sum|count|total|created)$/.test(name!.slice(family.length)) &&
          name!.startsWith(family)),
    )
    if (base === undefined) throw new Error(`sample of an undeclared family: ${line}`)
    const labels: Record<string, string> = {}
    for (const match of (rawLabels ?? '').matchAll(LABEL)) labels[match[1]!] = match[2]!
    const lower = rawValue!.toLowerCase()
    const value =
      lower === 'nan'
        ? NaN
        : lower.endsWith('inf')
          ? lower.startsWith('-')
            ? -Infinity
            : Infinity
          : Number(rawValue)
    if (Number.isNaN(value) && lower !== 'nan') throw new Error(`bad value: ${line}`)
    families.get(base)!.samples.push({ name: name!, labels, value })
  }
  return families
}

async function scrape(api: RunningApi): Promise<Map<string, Family>> {
  const res = await fetch(api.url('/metrics'))
  expect(res.status).toBe(200)
  expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/)
  return parsePrometheus(await res.text())
}

function value(
  families: Map<string, Family>,
  name: string,
  labels: Record<string, string> = {},
): number {
  const family = families.get(name)
  if (family === undefined) throw new Error(`no metric ${name}`)
  const sample = family.samples.find((s) =>
    Object.entries(labels).every(([key, v]) => s.labels[key] === v),
  )
  if (sample === undefined) throw new Error(`no sample of ${name} with ${JSON.stringify(labels)}`)
  return sample.value
}

describe('GET /metrics', () => {
  it('exposes the node metrics and process metrics as Prometheus text', async () => {
    const [a] = await meshOf(fixture, 2)
    const api = await apis.start(a!)
    const families = await scrape(api)
    const expected: Array<[string, string]> = [
      ['patternmesh_messages_received_total', 'counter'],
      ['patternmesh_messages_delivered_total', 'counter'],
      ['patternmesh_messages_broadcast_total', 'counter'],
      ['patternmesh_outbound_frames_refused_total', 'counter'],
      ['patternmesh_outbound_frames_failed_total', 'counter'],
      ['patternmesh_pattern_cache_hits_total', 'counter'],
      ['patternmesh_pattern_cache_misses_total', 'counter'],
      ['patternmesh_step', 'gauge'],
      ['patternmesh_connected_peers', 'gauge'],
      ['patternmesh_api_requests_total', 'counter'],
      ['patternmesh_api_events_dropped_total', 'counter'],
      ['patternmesh_api_event_clients', 'gauge'],
      ['process_cpu_user_seconds_total', 'counter'],
      ['process_resident_memory_bytes', 'gauge'],
      ['nodejs_eventloop_lag_seconds', 'gauge'],
      ['nodejs_heap_size_used_bytes', 'gauge'],
    ]
    for (const [name, type] of expected) {
      expect(families.get(name)?.type, name).toBe(type)
    }
    expect(value(families, 'patternmesh_connected_peers')).toBe(1)
    expect(Math.abs(value(families, 'patternmesh_step') - a!.step)).toBeLessThanOrEqual(1)
    // Every verdict code is present, at 0 when unseen.
    expect(value(families, 'patternmesh_messages_received_total', { code: 'REPLAY' })).toBe(0)
    for (const name of families.keys()) {
      if (name.startsWith('patternmesh_') && families.get(name)!.type === 'counter')
        expect(name, 'counter names end in _total').toMatch(/_total$/)
    }
  })

  it('moves the counters after a broadcast: sent on A, received and delivered on B', async () => {
    const [a, b] = await meshOf(fixture, 2)
    const apiA = await apis.start(a!)
    const apiB = await apis.start(b!)
    await until(async () => (await readReady(apiA)) === 200, { message: 'A ready' })
    const beforeA = await scrape(apiA)
    const beforeB = await scrape(apiB)
    const accepted = { code: 'ACCEPTED' }
    const count = 3
    for (let i = 0; i < count; i++)
      expect((await apiA.postMessage({ data: `m${i}` })).status).toBe(202)
    await until(
      async () =>
        value(await scrape(apiB), 'patternmesh_messages_delivered_total') ===
        value(beforeB, 'patternmesh_messages_delivered_total') + count,
      { message: 'B delivered the messages' },
    )
    const afterA = await scrape(apiA)
    const afterB = await scrape(apiB)
    expect(value(afterA, 'patternmesh_messages_broadcast_total')).toBe(
      value(beforeA, 'patternmesh_messages_broadcast_total') + count,
    )
    expect(value(afterB, 'patternmesh_messages_received_total', accepted)).toBeGreaterThanOrEqual(
      value(beforeB, 'patternmesh_messages_received_total', accepted) + count,
    )
    const lookups = (f: Map<string, Family>): number =>
      value(f, 'patternmesh_pattern_cache_hits_total') +
      value(f, 'patternmesh_pattern_cache_misses_total')
    expect(lookups(afterB)).toBeGreaterThan(lookups(beforeB))
    expect(
      value(afterA, 'patternmesh_api_requests_total', {
        method: 'POST',
        route: '/v1/messages',
        status: '202',
      }),
    ).toBe(count)
    // Each server has its own registry: B served no POST.
    expect(
      afterB.get('patternmesh_api_requests_total')!.samples.some((s) => s.labels.method === 'POST'),
    ).toBe(false)
  })
})
