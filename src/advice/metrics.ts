/**
 * Advice's Prometheus metrics: advice held by status, frames received, and the anti-entropy
 * rounds and bytes that keep the advice log the same on every member.
 */
import type { Registry } from 'prom-client'
import {
  countBy,
  mirrorCounter,
  mirrorLabelledCounter,
  readLabelledGauge,
} from '../util/metrics.js'
import type { AdviceService } from './service.js'

const ADVICE_STATUSES = ['pending', 'accepted', 'rejected'] as const

export function registerAdviceMetrics(
  registry: Registry,
  advice: Pick<AdviceService, 'list' | 'stats'>,
): void {
  readLabelledGauge(
    registry,
    'patternmesh_advice',
    'Advice held by this node, by aggregate status (pending, accepted, rejected).',
    'status',
    ADVICE_STATUSES,
    () => countBy(advice.list(), (view) => view.status),
  )
  mirrorLabelledCounter(
    registry,
    'patternmesh_advice_frames_total',
    'Advice frames received, by outcome (received, duplicate, invalid, stale_term, dropped).',
    'outcome',
    () => {
      const s = advice.stats()
      return {
        received: s.received,
        duplicate: s.duplicates,
        invalid: s.invalid,
        stale_term: s.staleTerm,
        dropped: s.dropped,
      }
    },
  )
  mirrorLabelledCounter(
    registry,
    'patternmesh_advice_antientropy_bytes_total',
    'Bytes of the advice anti-entropy protocol, by direction (sent, received).',
    'direction',
    () => {
      const { bytesSent, bytesReceived } = advice.stats().sync
      return { sent: bytesSent, received: bytesReceived }
    },
  )
  mirrorLabelledCounter(
    registry,
    'patternmesh_advice_antientropy_rounds_total',
    'Anti-entropy exchanges with one peer, by result (ok, failed).',
    'result',
    () => {
      const { rounds, failedRounds } = advice.stats().sync
      return { ok: rounds, failed: failedRounds }
    },
  )
  mirrorCounter(
    registry,
    'patternmesh_advice_antientropy_items_pulled_total',
    'Advice and results pulled from peers by anti-entropy.',
    () => advice.stats().sync.itemsPulled,
  )
}
