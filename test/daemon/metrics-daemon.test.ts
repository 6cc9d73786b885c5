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
    // The mesh's state as the two pages tell it, once settled (a scrape taken while the
    // daemons connect may catch them half-way): what is still not so, by daemon.
    const unsettled = (families: Map<string, Family>, name: string): string[] => {
      const problems: string[] = []
      const expectValue = (what: string, actual: number, ok: boolean): void => {
        if (!ok) problems.push(`${name}: ${what} is ${actual}`)
      }
      const alive = value(families, 'patternmesh_members', { status: 'alive' })
      expectValue('members{alive}', alive, alive === 2)
      const mesh = value(families, 'patternmesh_gossip_mesh_peers', { topic: 'data' })
      expectValue('gossip_mesh_peers{data}', mesh, mesh === 1)
      const term = value(families, 'patternmesh_roles_term')
      expectValue('roles_term', term, term >= 1)
      // libp2p's own: the connection between the two daemons, and gossipsub's streams on it.
      const open = families
        .get('libp2p_connection_manager_connections')!
        .samples.filter((s) => ['inbound', 'outbound'].includes(Object.values(s.labels)[0]!))
        .reduce((sum, s) => sum + s.value, 0)
      expectValue('libp2p connections', open, open >= 1)
      const streams = families
        .get('libp2p_protocol_streams_total')!
        .samples.filter((s) => Object.values(s.labels)[0]!.includes('/meshsub/'))
      expectValue('libp2p /meshsub/ stream kinds', streams.length, streams.length > 0)
      return problems
    }
    let scrapes: Array<Map<string, Family>> = []
    await until(
      async () => {
        scrapes = await Promise.all(daemons.map(scrape))
        const problems = scrapes.flatMap((families, i) => unsettled(families, `n${i + 1}`))
        const principals = scrapes.map((f) => value(f, 'patternmesh_roles_is_principal'))
        if (principals.filter((v) => v === 1).length !== 1)
          problems.push(`roles_is_principal: ${principals.join(', ')}`)
        if (problems.length > 0) throw new Error(problems.join('; '))
        return true
      },
      { timeout: 20_000, interval: 250, message: 'two members, one principal, on both pages' },
    )
    for (const families of scrapes) {
      expect(value(families, 'patternmesh_members', { status: 'dead' })).toBe(0)
      expect(value(families, 'patternmesh_advice', { status: 'pending' })).toBe(0)
      expect(families.has('patternmesh_outbound_queue_depth')).toBe(true)
      expect(families.get('patternmesh_verify_duration_seconds')?.type).toBe('histogram')
      expect(families.get('patternmesh_membership_heartbeat_interval_seconds')?.type).toBe(
        'histogram',
      )
      // The process's.
      expect(value(families, 'nodejs_eventloop_lag_seconds')).toBeGreaterThanOrEqual(0)
      expect(value(families, 'process_resident_memory_bytes')).toBeGreaterThan(0)
    }
  })
})
