/** The contract of RoleManager: what it uses, how it is configured, what it reports. */
import type { Logger } from 'pino'
import type { Membership } from '../membership/index.js'
import type { ControlChannel, LiveConfig, NodeEvents, NodeIdentity } from '../node/ports.js'
import type { OwnRole, RoleStateStore } from './state-store.js'

/** What RoleManager uses of Membership. */
export type RolesMembership = Pick<
  Membership,
  | 'member'
  | 'memberView'
  | 'localState'
  | 'setLocalState'
  | 'addEventListener'
  | 'removeEventListener'
>

/**
 * What RoleManager uses: who this node is, the control channel (claims), the live config
 * (weight, ROLE advice applies it), the node's events (verdicts, step sync) and membership.
 */
export interface RoleManagerComponents {
  identity: NodeIdentity
  control: ControlChannel
  liveConfig: LiveConfig
  events: NodeEvents
  membership: RolesMembership
  /** Where term and principal persist; without one, a restart forgets them. */
  store?: RoleStateStore
  logger?: Logger
}

export interface RoleManagerInit {
  /** The stabilisation period, in heartbeats (formation races, preempt). */
  stabiliseHeartbeats?: number
  /** Rejected frames within a window that make a peer ineligible in our view. */
  misbehaviour?: { rejects?: number; windowHeartbeats?: number }
  /** Clock, for tests. */
  now?: () => number
}

export interface RoleState {
  term: number
  principal: string | null
  principalWeight: number
  roles: OwnRole[]
  /** Age (ms) of the current claim as far as we know; very large when unknown. */
  claimAgeMs: number
  heardMesh: boolean
  eligible: boolean
}

export interface RoleStats {
  claimsSent: number
  claimsAdopted: number
  staleClaims: number
  refusedClaims: number
  invalidClaims: number
  splitBrains: number
  persistFailures: number
  /** Terms handed over to a successor when leaving as principal. */
  handOvers: number
}
