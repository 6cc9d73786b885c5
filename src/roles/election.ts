/**
 * Principal election, pure. Every node runs the same functions over what it has heard, so every
 * node reaches the same answer without a server:
 * - the expected principal is the alive, eligible member with the highest weight (ties: the
 *   smallest peer id);
 * - of two claims, the higher term wins; equal terms are settled by (weight, smallest id).
 * Peer ids are compared by code units (`<`), never by locale, so all nodes order them alike.
 */
import type { MemberStatus } from '../membership/index.js'

export interface Candidate {
  id: string
  status: MemberStatus
  weight: number
  /** Its own view (heartbeat) combined with ours (e.g. not misbehaving). */
  eligible: boolean
  observer: boolean
}

/** A (term, principal, weight) claim: role-claim messages and what heartbeats carry. */
export interface Claim {
  term: number
  /** null: no principal at this term (e.g. it stepped down). */
  principal: string | null
  /** The principal's weight when it claimed. */
  weight: number
}

export function canBePrincipal(candidate: Candidate, maxWeight: number): boolean {
  return (
    candidate.status === 'alive' &&
    candidate.eligible &&
    !candidate.observer &&
    Number.isFinite(candidate.weight) &&
    candidate.weight >= 0 &&
    candidate.weight <= maxWeight
  )
}

/** Does `a` rank above `b`: higher weight, then the smaller peer id. */
export function ranksAbove(
  a: { id: string; weight: number },
  b: { id: string; weight: number },
): boolean {
  if (a.weight !== b.weight) return a.weight > b.weight
  return a.id < b.id
}

/** The member that should be principal, from `self`'s table; undefined if none may be. */
export function expectedPrincipal(
  members: readonly Candidate[],
  self: Candidate,
  maxWeight = Number.POSITIVE_INFINITY,
): string | undefined {
  let best: Candidate | undefined
  for (const candidate of [self, ...members]) {
    if (!canBePrincipal(candidate, maxWeight)) continue
    if (best === undefined || ranksAbove(candidate, best)) best = candidate
  }
  return best?.id
}

/** > 0 if `a` is the better claim, < 0 if `b` is, 0 if they are the same claim. */
export function compareClaims(a: Claim, b: Claim): number {
  if (a.term !== b.term) return a.term > b.term ? 1 : -1
  if (a.principal === b.principal) return a.weight === b.weight ? 0 : a.weight > b.weight ? 1 : -1
  // At one term, any principal beats none.
  if (a.principal === null) return -1
  if (b.principal === null) return 1
  return ranksAbove({ id: a.principal, weight: a.weight }, { id: b.principal, weight: b.weight })
    ? 1
    : -1
}

export function isBetterClaim(a: Claim, b: Claim): boolean {
  return compareClaims(a, b) > 0
}

/** The better of two claims (the first when they are the same). */
export function betterClaim<T extends Claim>(a: T, b: T): T {
  return compareClaims(a, b) >= 0 ? a : b
}
