import type { ClaimReason } from './claim-rules.js'
import type { OwnRole } from './state-store.js'

export interface PrincipalChangedDetail {
  principal: string | null
  term: number
  previous: string | null
  previousTerm: number
  /**
   * Why: our own claim (its reason), a claim we adopted, stepping down, or handing the term
   * over to a successor when leaving.
   */
  cause: ClaimReason | 'adopted' | 'stepped-down' | 'loaded' | 'handed-over'
}

export interface StaleClaimDetail {
  /** The peer the stale claim came from (the claimant itself: a claim or its own heartbeat). */
  from: string
  principal: string
  term: number
  currentTerm: number
}

export type ClaimRefusal =
  'weight-above-max' | 'observer' | 'dead' | 'ineligible' | 'misbehaving' | 'not-sender' | 'invalid'

export interface ClaimRefusedDetail {
  from: string
  principal: string | null
  term: number
  weight: number
  reason: ClaimRefusal
  detail?: string
}

export interface SplitBrainDetail {
  /** The two principals that were active together… */
  principals: [string, string]
  /** …and their terms, in the same order. */
  terms: [number, number]
  /** The one that remains (the better claim). */
  winner: string
  /** How long (ms) both were active, as far as this node saw. */
  overlapMs: number
}

export interface RoleManagerEvents {
  'roles.principal-changed': CustomEvent<PrincipalChangedDetail>
  /** This node's own roles changed (e.g. member → principal). */
  'roles.changed': CustomEvent<{ roles: OwnRole[]; previous: OwnRole[] }>
  /** A claim older than the current term, from its claimant: refused (fencing). */
  'roles.stale-claim': CustomEvent<StaleClaimDetail>
  /** A better claim refused because its candidate may not be principal in our view. */
  'roles.claim-refused': CustomEvent<ClaimRefusedDetail>
  /** Two principals were active at once (observer: SPLIT_BRAIN); once per pair of claims. */
  'roles.split-brain': CustomEvent<SplitBrainDetail>
  /** A peer's rejected frames crossed the threshold: it is ineligible in our view for a while. */
  'roles.misbehaving': CustomEvent<{ peerId: string; isPrincipal: boolean }>
}
