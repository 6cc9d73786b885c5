/**
 * The delivery service's figures as Prometheus metrics, in the registry given (the API's).
 * Mirrors `stats()` when scraped, so nothing is counted twice. Wiring: one call in
 * api/metrics.ts with `() => peer.delivery?.stats()`.
 */
import { Counter, Gauge, type Registry } from 'prom-client'
import type { RepairStats } from './repair-service.js'

export function registerDeliveryMetrics(
  registry: Registry,
  read: () => RepairStats | undefined,
): void {
  const registers = [registry]
  const mirror = (name: string, help: string, pick: (s: RepairStats) => number): void => {
    const counter: Counter = new Counter({
      name,
      help,
      registers,
      collect: () => {
        const stats = read()
        counter.reset()
        if (stats !== undefined) counter.inc(Math.max(0, pick(stats)))
      },
    })
  }
  mirror(
    'patternmesh_messages_unrecoverable_total',
    'Broadcasts given up on: missing longer than retentionMs, no peer kept them.',
    (s) => s.unrecoverable,
  )
  mirror(
    'patternmesh_messages_repaired_total',
    'Data messages delivered after a repair.',
    (s) => s.repaired,
  )
  mirror(
    'patternmesh_messages_duplicate_total',
    'Copies dropped: delivered before (gossip and repair both brought them).',
    (s) => s.duplicates,
  )
  mirror(
    'patternmesh_repair_bytes_total',
    'Frame bytes received in repair answers.',
    (s) => s.repairBytes,
  )
  mirror(
    'patternmesh_repair_withheld_total',
    'Retained frames not served to a repair request: stamped under a key this node removed.',
    (s) => s.withheld,
  )
  mirror(
    'patternmesh_retention_evicted_total',
    'Retained frames evicted by age (retentionMs) or size (retentionBytes).',
    (s) => s.retention.evicted,
  )
  const gauge = (name: string, help: string, pick: (s: RepairStats) => number): void => {
    const g: Gauge = new Gauge({
      name,
      help,
      registers,
      collect: () => {
        const stats = read()
        g.set(stats === undefined ? 0 : pick(stats))
      },
    })
  }
  gauge('patternmesh_retention_bytes', 'Bytes of retained frames.', (s) => s.retention.bytes)
  gauge(
    'patternmesh_messages_missing',
    'Data messages known missing, being repaired.',
    (s) => s.missing,
  )
}
