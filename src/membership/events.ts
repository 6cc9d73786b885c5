import type { MemberStatus } from './failure-detector.js'
import type { FlapReport } from './flapping.js'
import type { HeartbeatPayload } from './heartbeat.js'
import type { Member } from './member-table.js'

export interface MemberStatusChangedDetail {
  peerId: string
  status: MemberStatus
  previous: MemberStatus
  member: Member
}

export interface MemberHeartbeatDetail {
  peerId: string
  heartbeat: HeartbeatPayload
  /** The sender's global step (the envelope's). */
  step: number
  /** The member entry after the heartbeat was recorded. */
  member: Member
  receivedAt: number
  /**
   * When the sender says it sent it (the envelope's timestamp; its own clock, untrusted). A
   * late heartbeat's step is as old as this: the step divergence check excuses that much.
   */
  sentAt: number
  /** True when the heartbeat changed what an election reads (or the member is new). */
  electionChanged: boolean
}

export interface MembershipEvents {
  /** A peer heard from for the first time (or again after it was removed). */
  'members.joined': CustomEvent<{ peerId: string; member: Member }>
  'members.status-changed': CustomEvent<MemberStatusChangedDetail>
  /** A member changed status more than the flap policy allows (observer: MEMBER_FLAPPING). */
  'members.flapping': CustomEvent<FlapReport>
  /** A member's heartbeat carried another weight than its previous one. */
  'members.weight-changed': CustomEvent<{ peerId: string; weight: number; previous: number }>
  /** Every valid heartbeat, after the table recorded it (roles read the claims it carries). */
  'members.heartbeat': CustomEvent<MemberHeartbeatDetail>
  /** A dead member dropped from the table (retention over, or room needed). */
  'members.removed': CustomEvent<{ peerId: string }>
  /** A peer's member table was imported (fast joining): roles may elect from it at once. */
  'members.table': CustomEvent<{
    from: string
    at: number
    members: number
    imported: number
    /** The highest term the table's members believe in (counts for our next claim). */
    maxTerm: number
  }>
  /** This node is leaving (`leave()`): the next heartbeat says so; a principal hands over now. */
  'members.leaving': CustomEvent<{ at: number }>
  /** A new member refused because the table is full of live members (`maxNodes`). */
  'members.overflow': CustomEvent<{ peerId: string; capacity: number }>
}

/** Where members' heartbeats come from (Membership's `members.heartbeat`): what services take. */
export interface HeartbeatEvents {
  addEventListener(
    type: 'members.heartbeat',
    listener: (event: MembershipEvents['members.heartbeat']) => void,
    options?: { signal?: AbortSignal },
  ): void
}
