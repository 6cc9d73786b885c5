/**
 * Whether the mesh still follows this principal's claim (issue 12.8). A principal is not
 * followed when, for a while, the mesh has moved past its term (a live claim of a higher term
 * it refused: a heartbeat round) or every member heard follows another claim at its term
 * (refusingClaim: a split-brain grace). Keeping the claim then left a node principal in its
 * own view only; RoleManager claims a term above, or steps down when another should lead.
 */
import type { Member } from '../membership/index.js'
import type { HeldClaim } from './claim-types.js'
import { refusingClaim } from './principal-view.js'
import type { RoleTiming } from './role-timing.js'

export interface ClaimStandingInit {
  selfId: () => string
  members: () => Iterable<Readonly<Member>>
  timing: RoleTiming
}

export class ClaimStanding {
  private readonly init: ClaimStandingInit
  private outrankedSince: number | undefined
  private refusedSince: number | undefined

  constructor(init: ClaimStandingInit) {
    this.init = init
  }

  /** Is `current` (ours, if we are principal) not followed by the mesh, long enough to act? */
  notFollowed(current: HeldClaim, maxTermSeen: number, now: number): boolean {
    const principal = current.principal === this.init.selfId()
    // Both are evaluated every time: each keeps its "since" up to date.
    const refused = this.refused(principal, current, now)
    const outranked = this.outranked(principal && maxTermSeen > current.term, now)
    return refused || outranked
  }

  /** A new claim, or stepping down: the standing starts over. */
  reset(): void {
    this.outrankedSince = undefined
    this.refusedSince = undefined
  }

  private refused(principal: boolean, current: HeldClaim, now: number): boolean {
    const grace = this.init.timing.splitBrainGraceMs()
    const other = principal
      ? refusingClaim(this.init.members(), this.init.selfId(), current, current.since + grace)
      : undefined
    if (other === undefined) {
      this.refusedSince = undefined
      return false
    }
    this.refusedSince ??= now
    return now - this.refusedSince >= grace
  }

  private outranked(behind: boolean, now: number): boolean {
    if (!behind) {
      this.outrankedSince = undefined
      return false
    }
    this.outrankedSince ??= now
    return now - this.outrankedSince >= this.init.timing.interval()
  }
}
