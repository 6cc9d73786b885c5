/**
 * Anomaly reports' Prometheus metrics: reports this node published, and the reports of others
 * it received, by what checking them showed (believed, false, not checked).
 */
import type { Registry } from 'prom-client'
import { mirrorLabelledCounter } from '../../util/metrics.js'
import type { AnomalyReportService } from './report-service.js'

export function registerAnomalyReportMetrics(
  registry: Registry,
  reports: Pick<AnomalyReportService, 'stats'>,
): void {
  mirrorLabelledCounter(
    registry,
    'patternmesh_anomaly_reports_sent_total',
    'Anomaly reports this node published (ok), failed to publish, or could not prove.',
    'result',
    () => {
      const s = reports.stats()
      return { ok: s.sent, failed: s.sendFailed, unprovable: s.unprovable }
    },
  )
  mirrorLabelledCounter(
    registry,
    'patternmesh_anomaly_reports_received_total',
    "Members' anomaly reports received, by outcome: believed (the evidence re-verified as " +
      'claimed), false (it did not: counted against the reporter), ignored (not checked).',
    'outcome',
    () => {
      const s = reports.stats()
      return { believed: s.believed, false: s.falseReports, ignored: s.ignored }
    },
  )
}
