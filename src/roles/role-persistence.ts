/**
 * The held claim on disk and back, pure: the roles it gives this node, the state written for
 * it, and the claim a restarted node resumes from what it wrote.
 */
import type { HeldClaim } from './claim-types.js'
import type { Claim } from './election.js'
import type { OwnRole, PersistedRoleState } from './state-store.js'

/** This node's roles under `claim`; an observer is only ever an observer. */
export function rolesFor(claim: Claim, selfId: string, observer: boolean): OwnRole[] {
  if (observer) return ['observer']
  return claim.principal !== null && claim.principal === selfId ? ['principal'] : ['member']
}

export function persistedStateOf(claim: HeldClaim, roles: OwnRole[]): PersistedRoleState {
  return {
    version: 1,
    term: claim.term,
    principal: claim.principal,
    principalWeight: claim.weight,
    roles,
    savedAt: Date.now(),
  }
}

/**
 * Never resume as principal from disk: the mesh may have moved on. If it still names us at
 * this term, its heartbeats say so and we adopt that (no new term).
 */
export function resumedClaim(loaded: PersistedRoleState, selfId: string, now: number): HeldClaim {
  const principal = loaded.principal === selfId ? null : loaded.principal
  return {
    term: loaded.term,
    principal,
    weight: principal === null ? 0 : loaded.principalWeight,
    issuedAt: 0,
    since: now,
  }
}
