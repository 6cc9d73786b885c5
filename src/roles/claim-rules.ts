/**
 * When this node claims the next term, pure. The caller gathers the facts; the rules are here,
 * in order, so a table of cases can test them.
 */

export type ClaimReason =
  /** Nobody is principal (a fresh mesh, or the principal stepped down). */
  | 'no-principal'
  /** The principal is dead in our table (or unheard for a whole `deadAfter` period). */
  | 'principal-dead'
  /** The principal may no longer be principal: observer, weight above max, misbehaving… */
  | 'principal-ineligible'
  /** A weight changed (ROLE advice, CONFIG) after the principal's claim, changing the outcome. */
  | 'weight-changed'
  /**
   * Formation race: we are a new node (no role state from an earlier run) that started less
   * than a stabilisation period ago, the principal ranks below us and its claim is that young
   * too. Not after a partition heals (the heavier node of the deposed side has been up for
   * long, and the better claim must stay), and not for a restarted node (it rejoins a mesh
   * that failed over without it; taking the role back would be a second hand-over).
   */
  | 'formation'
  /** `preempt`: we rank above the principal and have been up a stabilisation period. */
  | 'preempt'
  /**
   * We are principal, but the mesh is not following us for a while: it has moved past our term
   * (a live claim of a higher term that we refused: its candidate looks dead or ineligible to
   * us), or every member heard follows another claim at our term. Holding on would leave us
   * principal in our own view only; a new term above theirs settles it one way or the other.
   */
  | 'outranked'

export interface ClaimFacts {
  /** Have we heard the mesh (peers' heartbeats or a whole `deadAfter` period alone)? */
  heardMesh: boolean
  selfEligible: boolean
  /** Are we the expected principal of our member table? */
  selfExpected: boolean
  principal: 'none' | 'self' | 'other'
  /** The principal is not dead (alive or only suspect). */
  principalAlive: boolean
  principalEligible: boolean
  /** We rank above the principal by (weight, id). */
  principalRanksBelowSelf: boolean
  /** Age of the principal's claim, as far as we know (very large when unknown). */
  claimAgeMs: number
  stabiliseMs: number
  /** A weight changed since the principal's claim, changing the expected principal. */
  weightChanged: boolean
  preempt: boolean
  /** How long this node has been up (its role manager). */
  uptimeMs: number
  /**
   * No role state was loaded and this node has not claimed in this run: it has not been part
   * of the mesh before.
   */
  freshNode: boolean
  sinceLastClaimMs: number
  minClaimGapMs: number
  /** We are principal and a higher live term has been seen for a heartbeat round. */
  outranked?: boolean
}

export function claimReason(facts: ClaimFacts): ClaimReason | undefined {
  // A node that has not heard the mesh does not know the term: it would disrupt it.
  if (!facts.heardMesh || !facts.selfEligible || !facts.selfExpected) return undefined
  if (facts.sinceLastClaimMs < facts.minClaimGapMs) return undefined
  if (facts.principal === 'self') return facts.outranked === true ? 'outranked' : undefined
  if (facts.principal === 'none') return 'no-principal'
  if (!facts.principalAlive) return 'principal-dead'
  if (!facts.principalEligible) return 'principal-ineligible'
  // The rules below replace a live, eligible principal: only one we rank above. (We may be
  // "expected" merely because a heavier principal is suspect: that is no reason to claim.)
  if (!facts.principalRanksBelowSelf) return undefined
  if (facts.weightChanged) return 'weight-changed'
  if (facts.freshNode && facts.claimAgeMs < facts.stabiliseMs && facts.uptimeMs < facts.stabiliseMs)
    return 'formation'
  if (facts.preempt && facts.uptimeMs >= facts.stabiliseMs) return 'preempt'
  return undefined
}
