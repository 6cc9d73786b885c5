/**
 * What Prometheus scrapes: `GET /metrics` of two `patternmesh start` child processes, without
 * a token. One well-formed text (no family declared twice across the peer's, libp2p's and the
 * process's metrics) with the figures an operator graphs, each meaning what it says.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { parsePrometheus, value, type Family } from '../api/metrics-text.js'
import { DaemonFixture, type DaemonProcess } from '../helpers/daemon.js'
import { until } from '../helpers/until.js'

const fixture = new DaemonFixture()
afterEach(async () => await fixture.cleanup())

async function scrape(daemon: DaemonProcess): Promise<Map<string, Family>> {
  const res = await fetch(`${daemon.apiUrl}/metrics`)
  expect(res.status).toBe(200)
  expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/)
  return parsePrometheus(await res.text())
}

describe('GET /metrics of a daemon', () => {
  it('serves the mesh figures, libp2p’s own and the process’s, on one page', async () => {
    const args = [
      '--seed',
      'metrics-daemon',
      '--listen',
      '/ip4/127.0.0.1/tcp/0',
      '--log-level',
      'info',
    ]
    const a = await fixture.daemon(args)
    const b = await fixture.daemon([...args, '--bootstrap', a.listen[0]!])
    const daemons = [a, b]
    let scrapes: Array<Map<string, Family>> = []
    await until(
      async () => {
        scrapes = await Promise.all(daemons.map(scrape))
        return scrapes.every(
          (families) =>
            value(families, 'patternmesh_members', { status: 'alive' }) === 2 &&
            value(families, 'patternmesh_gossip_mesh_peers', { topic: 'data' }) === 1,
        )
      },
      { timeout: 20_000, interval: 250, message: 'two alive members, each in the other’s mesh' },
    )
    await until(
      async () => {
        scrapes = await Promise.all(daemons.map(scrape))
        const principals = scrapes.map((f) => value(f, 'patternmesh_roles_is_principal'))
        return principals.filter((v) => v === 1).length === 1
      },
      { timeout: 20_000, interval: 250, message: 'one principal of the two' },
    )
    for (const families of scrapes) {
      expect(value(families, 'patternmesh_roles_term')).toBeGreaterThanOrEqual(1)
      expect(value(families, 'patternmesh_members', { status: 'dead' })).toBe(0)
      expect(value(families, 'patternmesh_outbound_queue_depth')).toBe(0)
      expect(families.get('patternmesh_verify_duration_seconds')?.type).toBe('histogram')
      expect(families.get('patternmesh_membership_heartbeat_interval_seconds')?.type).toBe(
        'histogram',
      )
      expect(value(families, 'patternmesh_advice', { status: 'pending' })).toBe(0)
      // libp2p's own: the connection between the two daemons, and gossipsub's streams.
      const connections = families.get('libp2p_connection_manager_connections')!.samples
      const open = connections
        .filter((sample) => ['inbound', 'outbound'].includes(Object.values(sample.labels)[0]!))
        .reduce((sum, sample) => sum + sample.value, 0)
      expect(open).toBeGreaterThanOrEqual(1)
      const streams = families.get('libp2p_protocol_streams_total')!.samples
      expect(streams.some((s) => Object.values(s.labels)[0]!.includes('/meshsub/'))).toBe(true)
      // The process's.
      expect(value(families, 'nodejs_eventloop_lag_seconds')).toBeGreaterThanOrEqual(0)
      expect(value(families, 'process_resident_memory_bytes')).toBeGreaterThan(0)
    }
  })
})
