/**
 * The peer manager's and the peer records' Prometheus metrics: connections against the
 * target, dials and prunes, and members' signed records accepted or refused.
 */
import type { Registry } from 'prom-client'
import { mirrorCounter, mirrorLabelledCounter, readGauge } from '../util/metrics.js'
import type { PeerManager } from './peer-manager.js'
import type { PeerRecords } from './peer-records.js'

export function registerPeerMetrics(
  registry: Registry,
  peers: { manager: Pick<PeerManager, 'stats'>; records: Pick<PeerRecords, 'stats'> },
): void {
  const { manager, records } = peers
  readGauge(
    registry,
    'patternmesh_peers_connections',
    'Peers with an open connection, as the peer manager counts them.',
    () => manager.stats().connections,
  )
  readGauge(
    registry,
    'patternmesh_peers_target',
    'Connections the peer manager keeps (targetPeers).',
    () => manager.stats().targetPeers,
  )
  readGauge(
    registry,
    'patternmesh_peers_max',
    'Connections above which the peer manager prunes (maxPeers).',
    () => manager.stats().maxPeers,
  )
  readGauge(
    registry,
    'patternmesh_peers_backing_off',
    'Peers waiting out a backoff before the next dial.',
    () => manager.stats().backingOff,
  )
  mirrorLabelledCounter(
    registry,
    'patternmesh_peers_dials_total',
    'Dials the peer manager made, by result (ok, failed).',
    'result',
    () => {
      const { dials, dialFailures } = manager.stats()
      return { ok: Math.max(0, dials - dialFailures), failed: dialFailures }
    },
  )
  mirrorCounter(
    registry,
    'patternmesh_peers_pruned_total',
    'Connections the peer manager hung up because there were more than maxPeers.',
    () => manager.stats().pruned,
  )
  mirrorCounter(
    registry,
    'patternmesh_peers_records_accepted_total',
    "Members' signed peer records verified and stored.",
    () => records.stats().accepted,
  )
  mirrorLabelledCounter(
    registry,
    'patternmesh_peers_records_refused_total',
    "Members' peer records refused, by reason.",
    'reason',
    () => records.stats().refused,
  )
}
