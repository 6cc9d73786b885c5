/**
 * The observer (DESIGN §7): every node's MeshObserver records verdicts, anomalies, per-peer
 * statistics and NetworkMetrics, and scores peers for gossipsub.
 */
export {
  MeshObserver,
  type MeshObserverEvents,
  type MeshObserverComponents,
  type MeshObserverInit,
  type ObserverStats,
} from './mesh-observer.js'
export {
  ANOMALY_KINDS,
  SEVERITY_OF,
  anomalyKindOfVerdict,
  isAnomalyKind,
  type Anomaly,
  type AnomalyKind,
  type AnomalySeverity,
  type AnomalySource,
} from './anomaly.js'
export { AnomalyReporter, type AnomalyInput, type AnomalySink } from './anomaly-reporter.js'
export { MAX_WITNESSES, foldDecision, foldInto, type OpenRecord } from './fold.js'
export type { MemberSource, ObserverConfig, RoleSource, VerdictSource } from './sources.js'
export { AnomalyStore, type AnomalyFilter, type AnomalyStoreStats } from './anomaly-store.js'
export {
  fullBucket,
  takeToken,
  type BucketState,
  type FloodPolicy,
  type TakeOutcome,
} from './flood.js'
export { networkHealth, type HealthInputs, type NetworkMetrics } from './network-metrics.js'
export { PeerStatsTable, type PeerStats } from './peer-stats.js'
export { PenaltyLedger, decayedPoints } from './app-score.js'
export { RateWindow } from './rate-window.js'
export { ObserverModeError } from './errors.js'
export * from './constants.js'
