import { afterEach, describe, expect, it } from 'vitest'
import { MeshFixture } from '../helpers/mesh.js'
import { until } from '../helpers/until.js'
import { ApiFixture, meshOf, readReady } from './helpers.js'
import { scrape, value, type Family } from './metrics-text.js'

const fixture = new MeshFixture()
const apis = new ApiFixture()
afterEach(async () => {
  await apis.stopAll()
  await fixture.stopAll()
})

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
