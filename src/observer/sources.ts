/**
 * What the observer listens to, as narrow event sources: the node's verdicts, the member
 * table's heartbeats and flaps, the roles' split brains. Types only; Membership and
 * RoleManager satisfy them, and tests pass small emitters.
 */
import type { TypedEventTarget } from 'main-event'
import type { FlapReport } from '../membership/flapping.js'
import type { MemberHeartbeatDetail } from '../membership/events.js'
import type { FrameVerdictDetail } from '../node/events.js'
import type { SplitBrainDetail } from '../roles/events.js'

type Listening<Events extends Record<string, unknown>> = Pick<
  TypedEventTarget<Events>,
  'addEventListener' | 'removeEventListener'
>

/** Every frame's verdict (the node's `verdict` event). */
export type VerdictSource = Listening<{ verdict: CustomEvent<FrameVerdictDetail> }>

// Type literals, not interfaces: TypedEventTarget wants a map with an index signature.
export type MemberEventMap = {
  'members.heartbeat': CustomEvent<MemberHeartbeatDetail>
  'members.flapping': CustomEvent<FlapReport>
}

/** The member table: its members' statuses, and its heartbeat and flapping events. */
export type MemberSource = Listening<MemberEventMap> & {
  members(): ReadonlyArray<{ status: string }>
}

export type RoleEventMap = {
  'roles.split-brain': CustomEvent<SplitBrainDetail>
}

export type RoleSource = Listening<RoleEventMap>

/** The node's live config, as far as the observer reads it. */
export interface ObserverConfig {
  readonly config: Readonly<{
    stepWindow: number
    /** Optional: a late heartbeat's age is then excused from step divergence. */
    stepIntervalMs?: number
    floodRatePerSecond?: number
    floodBurst?: number
  }>
}
