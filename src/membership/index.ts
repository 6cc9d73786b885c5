export * from './constants.js'
export type {
  MemberHeartbeatDetail,
  MemberStatusChangedDetail,
  MembershipEvents,
} from './events.js'
export {
  missedHeartbeats,
  statusDeadlines,
  statusFor,
  type DetectorTiming,
  type MemberStatus,
} from './failure-detector.js'
export { FlapTracker, isFlapping, type FlapPolicy, type FlapReport } from './flapping.js'
export {
  HEARTBEAT_SCHEMA,
  PEER_ID_SCHEMA,
  decodeHeartbeat,
  encodeHeartbeat,
  type ActivityStatus,
  type DecodeResult,
  type HeartbeatPayload,
} from './heartbeat.js'
export { MemberTable, type Member, type ObserveResult, type StatusChange } from './member-table.js'
export {
  Membership,
  type LocalState,
  type MembershipComponents,
  type MembershipInit,
  type MembershipNode,
  type MembershipStats,
} from './membership.js'
