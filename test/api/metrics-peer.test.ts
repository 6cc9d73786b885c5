/**
 * /metrics of real peers with every service (membership, roles, advice, peer manager,
 * anomaly reports) in a 3-member mesh: the figures mean what they say, libp2p's own metrics
 * are there, and two peers in one process each keep their own registry.
 */
import { afterEach, describe, expect, it } from 'vitest'
import type { MeshPeer } from '../../src/peer/mesh-peer.js'
import { ATTACKER_LIBP2P } from '../helpers/attackers.js'
import { MeshFixture, connect } from '../helpers/mesh.js'
import { until } from '../helpers/until.js'
import { ApiFixture, withProviders, type RunningApi } from './helpers.js'
import { parsePrometheus, scrape, value, type Family } from './metrics-text.js'

const fixture = new MeshFixture()
const apis = new ApiFixture()
afterEach(async () => {
  await apis.stopAll()
  await fixture.stopAll()
})

const FAST = { heartbeatIntervalMs: 150, suspectAfter: 2, deadAfter: 4 }

/** Three peers with every service, connected in a star around the first. */
async function threeMembers(): Promise<MeshPeer[]> {
  const peers: MeshPeer[] = []
  for (let i = 0; i < 3; i++)
    peers.push(await fixture.node({ ...FAST, weight: 10 + i }, { services: {} }))
  for (const peer of peers.slice(1)) await connect(peer, peers[0]!)
  await until(() => peers.every((p) => aliveOf(p) === 3), { message: 'three members alive' })
  return peers
}

/** Alive members in the peer's table (the others) and itself. */
function aliveOf(peer: MeshPeer): number {
  return 1 + (peer.members?.members().filter((m) => m.status === 'alive').length ?? 0)
}

function countOf(families: Map<string, Family>, histogram: string): number {
  return families.get(histogram)!.samples.find((s) => s.name === `${histogram}_count`)!.value
}

async function scrapeAll(apisOf: RunningApi[]): Promise<Array<Map<string, Family>>> {
  return await Promise.all(apisOf.map(async (api) => await scrape(api)))
}

describe('GET /metrics of real peers', () => {
  it('says how many members are alive, which one is principal, the term and more', async () => {
    const peers = await threeMembers()
    const running = await Promise.all(
      peers.map(async (p) => await apis.start(withProviders(p, {}))),
    )
    // One principal, the same everywhere (an early claim may still be superseded: the
    // scrape is taken again until the principal held still around it).
    const principalEverywhere = (): string | null => {
      const principals = new Set(peers.map((p) => p.roles?.state().principal ?? null))
      return principals.size === 1 ? [...principals][0]! : null
    }
    let scrapes: Array<Map<string, Family>> = []
    let principal: string | null = null
    await until(
      async () => {
        principal = principalEverywhere()
        if (principal === null) return false
        scrapes = await scrapeAll(running)
        return principalEverywhere() === principal
      },
      { timeout: 15_000, message: 'one principal everywhere' },
    )
    for (const families of scrapes) {
      expect(value(families, 'patternmesh_members', { status: 'alive' })).toBe(3)
      for (const status of ['suspect', 'dead', 'leaving', 'left']) {
        expect(value(families, 'patternmesh_members', { status })).toBe(0)
      }
      expect(value(families, 'patternmesh_roles_term')).toBeGreaterThanOrEqual(1)
      expect(families.get('patternmesh_roles_principal_changes_total')?.type).toBe('counter')
      expect(value(families, 'patternmesh_roles_principal_changes_total')).toBeGreaterThanOrEqual(1)
      expect(value(families, 'patternmesh_membership_heartbeats_sent_total')).toBeGreaterThan(0)
      expect(families.get('patternmesh_membership_heartbeat_interval_seconds')?.type).toBe(
        'histogram',
      )
      expect(families.get('patternmesh_verify_duration_seconds')?.type).toBe('histogram')
      expect(value(families, 'patternmesh_outbound_queue_depth')).toBe(0)
      expect(value(families, 'patternmesh_peers_target')).toBeGreaterThan(0)
      expect(value(families, 'patternmesh_advice', { status: 'pending' })).toBe(0)
      expect(
        value(families, 'patternmesh_anomaly_reports_received_total', { outcome: 'false' }),
      ).toBe(0)
      // libp2p's own metrics, from @libp2p/prometheus-metrics into this peer's registry.
      expect(families.get('libp2p_connection_manager_connections')?.type).toBe('gauge')
      // Its group's label is named after the metric (@libp2p/prometheus-metrics does so).
      const connections = families.get('libp2p_connection_manager_connections')!.samples
      const open = connections
        .filter((sample) => ['inbound', 'outbound'].includes(Object.values(sample.labels)[0]!))
        .reduce((sum, sample) => sum + sample.value, 0)
      expect(open).toBeGreaterThanOrEqual(1)
      // gossipsub: connected members subscribed to each topic; nobody graylisted.
      expect(value(families, 'patternmesh_gossip_topic_peers', { topic: 'data' })).toBeGreaterThan(
        0,
      )
      expect(
        value(families, 'patternmesh_gossip_topic_peers', { topic: 'control' }),
      ).toBeGreaterThan(0)
      expect(value(families, 'patternmesh_gossip_graylisted_peers')).toBe(0)
      expect(
        value(families, 'patternmesh_gossip_peer_score', { stat: 'min' }),
      ).toBeGreaterThanOrEqual(0)
      expect(families.has('nodejs_eventloop_lag_seconds')).toBe(true)
    }
    // The principal got there by a claim: someone counted one.
    const claims = scrapes.map((families) => value(families, 'patternmesh_roles_claims_sent_total'))
    expect(claims.reduce((sum, n) => sum + n, 0)).toBeGreaterThanOrEqual(1)
    const isPrincipal = scrapes.map((families) => value(families, 'patternmesh_roles_is_principal'))
    expect(isPrincipal.filter((v) => v === 1)).toHaveLength(1)
    expect(isPrincipal.filter((v) => v === 0)).toHaveLength(2)
    expect(isPrincipal[peers.findIndex((p) => p.peerId === principal)]).toBe(1)
    // The hub times its members' heartbeats: about one interval (0.15 s) apart on average,
    // once the few close together while the mesh formed weigh little (20 gaps, about 1.5 s).
    const GAPS = 'patternmesh_membership_heartbeat_interval_seconds'
    let hub = scrapes[0]!
    await until(
      async () => {
        hub = await scrape(running[0]!)
        return countOf(hub, GAPS) >= 20
      },
      { timeout: 15_000, interval: 200, message: '20 heartbeat gaps timed' },
    )
    const count = countOf(hub, GAPS)
    const sum = hub.get(GAPS)!.samples.find((s) => s.name === `${GAPS}_sum`)!.value
    expect(sum / count).toBeGreaterThan(0.05)
    expect(sum / count).toBeLessThan(1.5)
    // Advice anti-entropy runs every two heartbeats with a peer: its bytes both ways, counted.
    await until(
      async () => {
        const families = await scrape(running[0]!)
        const bytes = (direction: string): number =>
          value(families, 'patternmesh_advice_antientropy_bytes_total', { direction })
        return bytes('sent') > 0 && bytes('received') > 0
      },
      { timeout: 15_000, interval: 200, message: 'anti-entropy bytes counted' },
    )
    // libp2p's streams per protocol: gossipsub's among them.
    const streams = (await scrape(running[0]!)).get('libp2p_protocol_streams_total')!.samples
    expect(streams.some((sample) => Object.values(sample.labels)[0]!.includes('/meshsub/'))).toBe(
      true,
    )
    // One gossip message in 64 is timed: data and heartbeats reach that soon.
    for (let i = 0; i < 100; i++) await peers[1]!.broadcast(`m${i}`)
    await until(
      async () => countOf(await scrape(running[0]!), 'patternmesh_verify_duration_seconds') >= 1,
      { timeout: 15_000, interval: 200, message: 'a verify time sampled' },
    )
  })

  it('moves the verdict counter when a frame is rejected', async () => {
    const honest = await fixture.node(FAST, { services: {} })
    const api = await apis.start(withProviders(honest, {}))
    const mismatches = async (): Promise<number> =>
      value(await scrape(api), 'patternmesh_messages_received_total', { code: 'PATTERN_MISMATCH' })
    expect(await mismatches()).toBe(0)
    // A node with another network key: its frames' tags do not match our pattern.
    const forger = await fixture.node(
      { ...FAST, seed: 'not-the-key' },
      { services: { membership: false }, libp2p: ATTACKER_LIBP2P },
    )
    await connect(forger, honest)
    await until(
      async () => {
        await forger.broadcast('forged').catch(() => undefined)
        return (await mismatches()) >= 1
      },
      { timeout: 10_000, interval: 200, message: 'a PATTERN_MISMATCH counted' },
    )
  })

  it('keeps one registry per peer: two peers in one process, and a restart', async () => {
    const a = await fixture.node(FAST, { services: {} })
    const b = await fixture.node(FAST, { services: {} })
    expect(a.metrics.registry).not.toBe(b.metrics.registry)
    expect(a.metrics.libp2pRegistry).not.toBe(b.metrics.libp2pRegistry)
    await connect(b, a)
    await until(() => aliveOf(a) === 2 && aliveOf(b) === 2, { message: 'two members' })
    for (const peer of [a, b]) {
      const families = parsePrometheus(await peer.metrics.text())
      expect(value(families, 'patternmesh_members', { status: 'alive' })).toBe(2)
      expect(families.has('libp2p_connection_manager_connections')).toBe(true)
    }
    // A restart registers libp2p's and the services' metrics again in the same registry.
    await a.stop()
    await a.start()
    await connect(b, a)
    const families = parsePrometheus(await a.metrics.text())
    expect(families.has('libp2p_connection_manager_connections')).toBe(true)
    expect(families.has('patternmesh_roles_term')).toBe(true)
  })
})
