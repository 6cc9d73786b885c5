/**
 * Advice (DESIGN §6): how an operator or the principal changes the mesh while it runs.
 *
 * - Any node takes a request (`AdviceService.issue`) and relays it to the principal over
 *   `/patternmesh/advice-relay/1.0.0`; the principal stamps it (its term as the fencing token,
 *   its step, a version vector per key, the targets it resolves), persists it and broadcasts
 *   it as an `advice` control frame. The request is acknowledged once both the principal and
 *   the node that took it hold it on disk.
 * - Each target validates and applies it (CONFIG live, ROLE weight/eligibility, UPDATE to the
 *   application's handlers) where it wins its keys, and broadcasts its result
 *   (`advice-status`). Every node aggregates the results (aggregate.ts).
 * - Per key the winner is the undominated version, ties by (term, step, smaller issuer id):
 *   every node holding the same advice picks the same winner. A rollback is a new advice whose
 *   version dominates the original and restores, per key, the value before it.
 * - Never applied after `expiry`; pending targets then count as rejected `expired`.
 * - Persisted in an fsync'd JSON-lines log; anti-entropy over
 *   `/patternmesh/advice-sync/1.0.0` walks a digest trie with a random peer and pulls only
 *   what differs, so a node back from a partition or a stop gets every unexpired advice.
 */
export * from './constants.js'
export * from './types.js'
export * from './errors.js'
export { viewOf } from './aggregate.js'
export {
  AuditTrail,
  FileAdviceAudit,
  MemoryAdviceAudit,
  type AdviceAudit,
  type AuditEntry,
  type IssueMeta,
} from './audit.js'
export type { UpdateEvent, UpdateHandler } from './apply.js'
export { DigestIndex, itemHash } from './digest.js'
export { FileAdviceStore, MemoryAdviceStore, type AdviceRecord, type AdviceStore } from './store.js'
export {
  AdviceService,
  type AdviceEvents,
  type AdviceNode,
  type AdviceServiceComponents,
  type AdviceServiceInit,
  type AdviceStats,
} from './service.js'
export { isTarget, resolveTargets } from './targets.js'
export {
  ADVICE_REQUEST_SCHEMA,
  LIVE_CONFIG_KEYS,
  adviceValues,
  checkPayload,
  parseDuration,
  validateAdviceRequest,
} from './validate.js'
export { compareVectors, mergeVectors, nextVector, tieBreak, winnerOf } from './versions.js'
