export * from './constants.js'
export type {
  HeartbeatEvents,
  MemberHeartbeatDetail,
  MemberStatusChangedDetail,
  MembershipEvents,
} from './events.js'
export {
  isPresent,
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
  type HeartbeatKeyring,
  type HeartbeatPayload,
} from './heartbeat.js'
export {
  MemberTable,
  type Member,
  type ObserveResult,
  type ReportedMember,
  type StatusChange,
} from './member-table.js'
export {
  MEMBERS_PROTOCOL,
  decodeMemberTable,
  encodeMemberTable,
  type MemberExchangeComponents,
  type StepFrames,
} from './member-exchange.js'
export { Membership } from './membership.js'
export type {
  LocalState,
  MembershipComponents,
  MembershipInit,
  MembershipStats,
} from './membership-types.js'

import { Membership } from './membership.js'
import type { MembershipComponents, MembershipInit } from './membership-types.js'

/** The membership service's factory (js-libp2p style): `membership(init)(components)`. */
export function membership(init?: MembershipInit) {
  return (components: MembershipComponents): Membership => new Membership(components, init)
}
