/**
 * Claims arriving from the mesh, pure: read from a `role-claim` message or a heartbeat, then
 * judged against the claim this node holds. RoleManager routes the verdict to its
 * consequences (adopt, count, report).
 */
import type { MemberHeartbeatDetail } from '../membership/index.js'
import { decodeRoleClaim } from './claim-codec.js'
import type { HeldClaim, IncomingClaim } from './claim-types.js'
import { compareClaims, type Claim } from './election.js'
import type { ClaimRefusal } from './events.js'
import type { RefusedClaim } from './role-reporter.js'

export type ClaimMessage =
  | { ok: true; claim: IncomingClaim }
  | { ok: false; claim: RefusedClaim; reason: 'invalid' | 'not-sender'; detail?: string }

/** A role-claim message from `from`; a node may claim only for itself. */
export function readClaimMessage(from: string, data: Uint8Array, receivedAt: number): ClaimMessage {
  const decoded = decodeRoleClaim(data)
  if (!decoded.ok) {
    const claim = { from, principal: null, term: 0, weight: 0 }
    return { ok: false, claim, reason: 'invalid', detail: decoded.detail }
  }
  const claim = decoded.value
  if (claim.principal !== from)
    return { ok: false, claim: { from, ...claim }, reason: 'not-sender' }
  return {
    ok: true,
    claim: { ...claim, issuedAt: receivedAt, from, kind: 'claim', at: receivedAt },
  }
}

/** The claim a heartbeat carries; undefined when it names no principal (only its term counts). */
export function claimFromHeartbeat(event: MemberHeartbeatDetail): IncomingClaim | undefined {
  const { peerId, heartbeat, receivedAt } = event
  if (heartbeat.principal === null) return undefined
  return {
    term: heartbeat.term,
    principal: heartbeat.principal,
    weight: heartbeat.principalWeight,
    issuedAt: receivedAt - heartbeat.termAgeMs,
    from: peerId,
    kind: heartbeat.principal === peerId ? 'assertion' : 'relay',
    at: receivedAt,
  }
}

/**
 * stale: an older term. same: the claim we hold. worse: loses to ours at this term. refused: a
 * better claim whose candidate may not be principal in our view. adopt: a better claim.
 */
export type ClaimJudgement =
  { verdict: 'stale' | 'same' | 'worse' | 'adopt' } | { verdict: 'refused'; refusal: ClaimRefusal }

/** `refusal` is asked only of a better claim: it reads the member table. */
export function judgeClaim(
  incoming: Claim,
  held: Claim,
  refusal: () => ClaimRefusal | undefined,
): ClaimJudgement {
  if (incoming.term < held.term) return { verdict: 'stale' }
  const order = compareClaims(incoming, held)
  if (order === 0) return { verdict: 'same' }
  if (order < 0) return { verdict: 'worse' }
  const refused = refusal()
  return refused === undefined ? { verdict: 'adopt' } : { verdict: 'refused', refusal: refused }
}

/**
 * Terms of live-but-refused candidates still count, so our next claim outranks them; a term
 * from an absurd claim (weight, observer) must not inflate ours.
 */
export function refusalCountsTerm(refusal: ClaimRefusal): boolean {
  return refusal !== 'weight-above-max' && refusal !== 'observer'
}

/** An adopted claim as this node holds it: followed from its arrival. */
export function heldClaimOf(incoming: IncomingClaim): HeldClaim {
  return {
    term: incoming.term,
    principal: incoming.principal,
    weight: incoming.weight,
    issuedAt: incoming.issuedAt,
    since: incoming.at,
  }
}
