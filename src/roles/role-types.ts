/** The contract of RoleManager: what it uses, how it is configured, what it reports. */
import type { Logger } from 'pino'
import type { Membership } from '../membership/index.js'
import type { MeshNode } from '../node/index.js'
import type { OwnRole, RoleStateStore } from './state-store.js'

/** What RoleManager uses of a MeshNode. */
export type RolesNode = Pick<
  MeshNode,
  'peerId' | 'config' | 'sendControl' | 'applyConfig' | 'addEventListener' | 'removeEventListener'
>

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

export interface RoleManagerComponents {
  node: RolesNode
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
}
