/** The contract of Membership: what it takes, how it is configured, what it reports. */
import type { Logger } from 'pino'
import type { ControlChannel, LiveConfig, NodeEvents, NodeIdentity } from '../node/ports.js'
import type { ActivityStatus, HeartbeatKeyring } from './heartbeat.js'
import type { MemberExchangeComponents } from './member-exchange.js'

/**
 * What Membership uses: who this node is, the control channel, the live config and the node's
 * events; the members exchange (fast joining) when `exchange` is given.
 */
export interface MembershipComponents {
  identity: NodeIdentity
  control: ControlChannel
  liveConfig: Pick<LiveConfig, 'config'>
  events: NodeEvents
  /** libp2p and the step frames for `/patternmesh/members/1.0.0`; without it, no exchange. */
  exchange?: MemberExchangeComponents
  logger?: Logger
}

export interface MembershipInit {
  /** Software version announced in heartbeats (the daemon passes package.json's). */
  version?: string
  /** Operator labels announced in heartbeats (e.g. `{ nodeId }`). */
  metadata?: Record<string, string>
  /** Flapping policy: more than `maxChanges` status changes within `windowHeartbeats`. */
  flapping?: { maxChanges?: number; windowHeartbeats?: number }
  /** Heartbeats a dead (or left) member stays listed. */
  deadRetentionHeartbeats?: number
  /** Clock, for tests. */
  now?: () => number
  /** Random source in [0, 1) for the heartbeat jitter; tests pass `() => 0` for exact ticks. */
  random?: () => number
  /**
   * This node's signed peer record (base64), put in every heartbeat so members learn our
   * addresses (src/peers seals it). Received ones reach src/peers by `members.heartbeat`.
   */
  peerRecord?: () => string | undefined
  /** The key ids this node holds, put in every heartbeat (src/keyring reads members' ones). */
  keyring?: () => HeartbeatKeyring | undefined
}

/** What roles (and later the API) put into the outgoing heartbeats. */
export interface LocalState {
  status: ActivityStatus
  roles: string[]
  term: number
  principal: string | null
  principalWeight: number
  /**
   * Local time the claim of `term` was issued, as best known. 0 when unknown (a claim loaded
   * from disk): it then reads as very old, i.e. settled, never as a fresh claim.
   */
  termIssuedAt: number
  /** Whether this node may become principal; undefined: derived from config alone. */
  eligible: boolean | undefined
}

export interface MembershipStats {
  heartbeatsSent: number
  heartbeatsReceived: number
  heartbeatSendFailures: number
  invalidHeartbeats: number
  /** New members refused because the table was full of live members. */
  overflow: number
  /** Member tables asked of peers and answered (fast joining). */
  tablesImported: number
  /** Members first learnt from a peer's table. */
  membersImported: number
  /** Tables asked for and not obtained: no answer, or one that does not verify or decode. */
  tableFailures: number
  /** Heartbeats of dead members already too old, by their step, to prove them alive. */
  lateHeartbeats: number
  /** Times the failure detector held its judgement because this process was paused. */
  pauseHolds: number
  /** Of those, holds ended early because the process kept time again (pause-hold.ts). */
  pauseHoldsReleased: number
  /** Time (ms) this process could not listen, not counted as members' silence. */
  pauseExcusedMs: number
}
