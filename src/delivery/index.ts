export * from './constants.js'
export {
  FileDeliveredStore,
  MemoryDeliveredStore,
  parseSnapshot,
  type DeliveredStore,
  type LedgerSnapshot,
} from './delivered-store.js'
export { DeliveryLedger, type AdmitResult, type Unrecoverable } from './ledger.js'
export { RetentionBuffer, type RetentionStats } from './retention.js'
export { SeqSet, type SeqRange } from './ranges.js'
export {
  RepairService,
  repairService,
  type RepairComponents,
  type RepairInit,
  type RepairStats,
  type RepairEvents,
} from './repair-service.js'
export * from './wire.js'
export { registerDeliveryMetrics } from './metrics.js'
