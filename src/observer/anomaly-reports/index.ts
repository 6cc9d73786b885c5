/** Anomaly reports with evidence (DESIGN §14): the service and its pure parts. */
export {
  AnomalyReportService,
  anomalyReports,
  type AnomalyReportComponents,
  type AnomalyReportInit,
  type AnomalyReportStats,
} from './report-service.js'
export { checkEvidence, evidenceOf, type Evidence, type EvidenceCheck } from './evidence.js'
export { ReportFolder, takeOne, type DueReport, type FoldPolicy, type Tokens } from './folder.js'
export { decodeReport, encodeReport, type ReportPayload } from './payload.js'
export {
  PROVABLE_CODES,
  confirms,
  isProvable,
  type GossipReverifier,
  type ProvableCode,
} from './provable.js'
export * from './constants.js'
