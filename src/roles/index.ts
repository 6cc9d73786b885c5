/**
 * Roles: the term, the principal, and this node's own roles (DESIGN §5).
 *
 * Rules as implemented, and why:
 * - Claims travel two ways: `role-claim` messages, and the (term, principal, principalWeight,
 *   termAgeMs) every heartbeat carries. A better claim (higher term; equal terms: higher
 *   weight, then smallest id) is adopted when its candidate may be principal in our view (not
 *   an observer, weight ≤ maxWeight, not dead, eligible, not misbehaving). So a claim lost in
 *   transit, a late joiner and both sides of a healed partition converge on the best claim
 *   within one heartbeat.
 * - Older terms are stale: refused and counted; when the claimant itself sent it (its claim or
 *   its own heartbeat) `roles.stale-claim` is raised. A heartbeat relaying an old belief is
 *   only counted: that member is merely behind. Principal-issued messages carry the term as a
 *   fencing token (`checkFencing`).
 * - A node claims `max(every term seen or persisted) + 1` only once it has heard the mesh,
 *   only while eligible and the expected principal of its table, and only for a reason
 *   (claim-rules.ts): no principal; the principal dead or ineligible; a weight change that
 *   changes the outcome; a formation race; `preempt`. The term is written to disk before the
 *   claim leaves the node, so a restarted node never claims a term twice.
 * - "Heard the mesh" refines the rule: a step sync answered by peers proves
 *   connectivity but not that their heartbeats (which carry the term) have arrived, so it
 *   counts one heartbeat round (1.5 intervals) after it; likewise after the first peer
 *   heartbeat or claim, which also covers nodes connected after their (local) step sync.
 *   Alone, a node waits a whole `deadAfter` period.
 * - The principal counts as dead when our table says so (a role-claim message counts as a
 *   sign of life too), or, if we never heard it, once we have been up a `deadAfter` period;
 *   until then an unheard principal (loaded from disk, named by relays) is presumed alive and
 *   ranks by its claimed weight.
 * - Formation race: a claim younger than the stabilisation period, by a principal ranking
 *   below us, is taken over, but only by a new node (no role state loaded) itself up for less
 *   than that period. Not after a partition heals (the deposed side's heavier node has been
 *   up for long, and the better claim must stay) and not by a restarted node (the mesh failed
 *   over without it; taking the role back would be a second hand-over). Without `preempt`, a
 *   heavier node joining a settled mesh does not take over.
 * - A weight change re-runs the election only if it changes the outcome: the changed member
 *   is the principal, or the expected principal differs between the old and the new weight.
 * - A restarted node never resumes as principal from its file (it names no principal then);
 *   if the mesh still names it at that term, it adopts that (no new term, no disruption).
 * - A principal that becomes ineligible (setEligible(false), observer, weight above max) steps
 *   down: it names no principal, which the expected principal takes as "no principal".
 * - Misbehaviour (rejected frames from a peer above a threshold within a window) makes that
 *   peer ineligible in our view for the window. Limitation: gossipsub does not forward
 *   rejected frames, so only the principal's direct peers see them; if the expected principal
 *   is not one of them, it does not react (a full mesh, as in small deployments, has no gap).
 * - Split brain: two different principals both active, unaware of each other, for longer
 *   than `SPLIT_BRAIN_GRACE_HEARTBEATS` (claims carry their age; activity ends at the last
 *   heartbeat in which the principal named itself). Raised once per pair of claims.
 */
export * from './constants.js'
export { claimReason, type ClaimFacts, type ClaimReason } from './claim-rules.js'
export {
  ROLE_CLAIM_SCHEMA,
  decodeRoleClaim,
  encodeRoleClaim,
  type RoleClaimPayload,
} from './claim-codec.js'
export type { HeldClaim, IncomingClaim } from './claim-types.js'
export {
  betterClaim,
  canBePrincipal,
  compareClaims,
  expectedPrincipal,
  isBetterClaim,
  ranksAbove,
  type Candidate,
  type Claim,
} from './election.js'
export {
  InvalidWeightError,
  NotPrincipalError,
  RoleStateCorruptError,
  RoleStateIoError,
  StaleTermError,
  WeightAboveMaxError,
} from './errors.js'
export type {
  ClaimRefusal,
  ClaimRefusedDetail,
  PrincipalChangedDetail,
  RoleManagerEvents,
  SplitBrainDetail,
  StaleClaimDetail,
} from './events.js'
export { checkFencing, type FencingResult } from './fencing.js'
export { RejectTracker, isMisbehaving, type MisbehaviourPolicy } from './misbehaviour.js'
export {
  candidatesOf,
  principalFacts,
  refusalOf,
  weightChangeMatters,
  type ClaimToJudge,
  type PrincipalFacts,
  type TableView,
} from './principal-view.js'
export { RoleManager } from './role-manager.js'
export type {
  RoleManagerComponents,
  RoleManagerInit,
  RoleState,
  RoleStats,
  RolesMembership,
} from './role-types.js'
export { RoleStateWriter } from './role-state-writer.js'
export {
  EpisodeMemory,
  isSplitBrain,
  overlapMs,
  splitBrainKey,
  type PrincipalActivity,
} from './split-brain.js'
export { SplitBrainWatch, type SplitBrainWatchInit } from './split-brain-watch.js'
export {
  FileRoleStateStore,
  MemoryRoleStateStore,
  parseRoleState,
  type OwnRole,
  type PersistedRoleState,
  type RoleStateStore,
} from './state-store.js'

import { RoleManager } from './role-manager.js'
import type { RoleManagerComponents, RoleManagerInit } from './role-types.js'

/** The roles service's factory (js-libp2p style): `roleManager(init)(components)`. */
export function roleManager(init?: RoleManagerInit) {
  return (components: RoleManagerComponents): RoleManager => new RoleManager(components, init)
}
