/**
 * What this node's member table says about the election, pure: the candidates, the expected
 * principal, the state of the current principal, whether a better claim's candidate may be
 * principal, and whether a weight change changes the outcome. RoleManager feeds these to
 * `claimReason` and to claim adoption.
 */
import type { Member, MemberStatus } from '../membership/index.js'
import {
  compareClaims,
  expectedPrincipal,
  ranksAbove,
  type Candidate,
  type Claim,
} from './election.js'
import type { ClaimRefusal } from './events.js'

export interface TableView {
  /** The peers of the member table (read only). */
  members: Iterable<Readonly<Member>>
  /** This node as a candidate. */
  self: Candidate
  /** The principal we follow, and its weight as its claim stated it. */
  principal: string | null
  principalWeight: number
  /**
   * An unheard principal (named by a claim, absent from the table) is presumed alive until we
   * have been up a whole `deadAfter` period.
   */
  presumeUnheardAlive: boolean
  /** The principal's liveness judged from its last claim message (a claim proves life). */
  principalClaimStatus: MemberStatus
  misbehaving: (peerId: string) => boolean
  maxWeight: number
}

export interface PrincipalFacts {
  expected: string | undefined
  /** Not dead: alive or only suspect. */
  principalAlive: boolean
  principalEligible: boolean
  principalRanksBelowSelf: boolean
}

/** The table as candidates, our view (misbehaviour) over theirs (heartbeat flags). */
export function candidatesOf(view: TableView): Candidate[] {
  const candidates: Candidate[] = []
  for (const member of view.members) {
    candidates.push({
      id: member.id,
      status: member.status,
      weight: member.weight,
      eligible: member.eligible && member.activity === 'active' && !view.misbehaving(member.id),
      observer: member.observer,
    })
  }
  const principal = view.principal
  if (
    principal !== null &&
    principal !== view.self.id &&
    view.presumeUnheardAlive &&
    !candidates.some((candidate) => candidate.id === principal)
  ) {
    // Named by a claim but not heard yet: presumed alive, ranked by its claimed weight.
    candidates.push({
      id: principal,
      status: 'alive',
      weight: view.principalWeight,
      eligible: !view.misbehaving(principal),
      observer: false,
    })
  }
  return candidates
}

export function principalFacts(view: TableView): PrincipalFacts {
  const candidates = candidatesOf(view)
  const expected = expectedPrincipal(candidates, view.self, view.maxWeight)
  const principal = view.principal
  if (principal === null || principal === view.self.id) {
    return {
      expected,
      principalAlive: true,
      principalEligible: true,
      principalRanksBelowSelf: false,
    }
  }
  const member = candidates.find((candidate) => candidate.id === principal)
  return {
    expected,
    principalAlive:
      (member !== undefined && member.status !== 'dead') || view.principalClaimStatus !== 'dead',
    principalEligible:
      member !== undefined &&
      member.eligible &&
      !member.observer &&
      member.weight <= view.maxWeight,
    principalRanksBelowSelf: ranksAbove(view.self, {
      id: principal,
      weight: member?.weight ?? view.principalWeight,
    }),
  }
}

/**
 * Does a weight change call for a re-election? Only if it changes the outcome: the changed
 * member is the principal, or the expected principal with the old weight differs from the one
 * with the new. (Otherwise a heavier node that joined a settled mesh without `preempt` would
 * take over at the first unrelated weight change.)
 */
export function weightChangeMatters(view: TableView, peerId: string, previous: number): boolean {
  if (peerId === view.principal) return true
  const candidates = candidatesOf(view)
  const after = expectedPrincipal(candidates, view.self, view.maxWeight)
  const withOld = (candidate: Candidate): Candidate =>
    candidate.id === peerId ? { ...candidate, weight: previous } : candidate
  const before = expectedPrincipal(candidates.map(withOld), withOld(view.self), view.maxWeight)
  return before !== after
}

export interface ClaimToJudge {
  principal: string
  weight: number
  /** claim: a role-claim message from the candidate; otherwise carried by a heartbeat. */
  kind: 'claim' | 'assertion' | 'relay'
}

/** Why a better claim's candidate may not be principal in our view; undefined if it may. */
export function refusalOf(
  claim: ClaimToJudge,
  context: {
    selfId: string
    selfEligible: boolean
    /** The candidate's entry in our table, if any. */
    member: Member | undefined
    misbehaving: boolean
    maxWeight: number
  },
): ClaimRefusal | undefined {
  const { member, maxWeight } = context
  if (!(claim.weight <= maxWeight)) return 'weight-above-max'
  if (claim.principal === context.selfId) return context.selfEligible ? undefined : 'ineligible'
  if (member !== undefined) {
    if (member.observer) return 'observer'
    if (!(member.weight <= maxWeight)) return 'weight-above-max'
    // A claim message is fresher than the claimant's last heartbeat, and proves it alive.
    if (claim.kind !== 'claim') {
      if (member.status === 'dead') return 'dead'
      if (!member.eligible || member.activity !== 'active') return 'ineligible'
    }
  }
  if (context.misbehaving) return 'misbehaving'
  return undefined
}

/**
 * The claim the mesh follows instead of ours, when it refuses ours (issue 12.8): we are
 * principal at `held`, the present members heard since `since` (time for our claim to reach
 * them and their heartbeats to come back) name another principal at our term, and none names
 * us. A restarted node whose claim at a colliding term cannot reach the mesh, or is refused
 * there, must not keep it. The best of their claims; undefined otherwise.
 */
export function refusingClaim(
  members: Iterable<Readonly<Member>>,
  selfId: string,
  held: Claim,
  since: number,
): (Claim & { principal: string; issuedAt: number }) | undefined {
  let best: (Claim & { principal: string; issuedAt: number }) | undefined
  for (const member of members) {
    if (member.status !== 'alive' || member.lastSeen < since || member.term !== held.term) continue
    if (member.principal === selfId) return undefined
    if (member.principal === null) continue
    const claim = {
      term: member.term,
      principal: member.principal,
      weight: member.principalWeight,
      issuedAt: member.lastSeen - member.termAgeMs,
    }
    if (best === undefined || compareClaims(claim, best) > 0) best = claim
  }
  return best
}
