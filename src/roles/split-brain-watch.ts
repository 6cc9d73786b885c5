/**
 * Watches for two principals active at once. A principal's activity runs from its claim's
 * issue time to the last heartbeat in which it named itself (or now, for this node or a claim
 * arriving now). Checked when this node switches claims and when a live principal asserts a
 * claim worse than ours; each pair of claims is reported once (`split-brain.ts` has the maths).
 */
import type { Member } from '../membership/index.js'
import type { HeldClaim, IncomingClaim } from './claim-types.js'
import { SPLIT_BRAIN_MEMORY } from './constants.js'
import type { Claim } from './election.js'
import type { SplitBrainDetail } from './events.js'
import { EpisodeMemory, overlapMs, splitBrainKey, type PrincipalActivity } from './split-brain.js'

export interface SplitBrainWatchInit {
  /** This node's peer id (read when needed: the node may start after this is built). */
  selfId: () => string
  member: (peerId: string) => Member | undefined
  /** The claim this node holds now. */
  current: () => HeldClaim
  now: () => number
  /** Overlap tolerated (a hand-over), read live. */
  graceMs: () => number
}

export class SplitBrainWatch {
  private readonly init: SplitBrainWatchInit
  private readonly episodes = new EpisodeMemory(SPLIT_BRAIN_MEMORY)

  constructor(init: SplitBrainWatchInit) {
    this.init = init
  }

  /** We leave `previous` for `next`: were both principals active together for long? */
  onSwitch(previous: HeldClaim, next: HeldClaim): SplitBrainDetail | undefined {
    if (previous.principal === null || next.principal === null) return undefined
    if (previous.principal === next.principal) return undefined
    const before = this.activityOf(previous)
    if (before === undefined) return undefined
    return this.check(previous, before, next, { start: next.issuedAt, last: this.init.now() }, next)
  }

  /** A claim worse than ours arrived: is its principal still acting as one, alongside ours? */
  onWorse(incoming: IncomingClaim): SplitBrainDetail | undefined {
    const current = this.init.current()
    if (current.principal === null || incoming.principal === current.principal) return undefined
    const theirs = this.activityOf(incoming)
    const ours = this.activityOf(current)
    if (theirs === undefined || ours === undefined) return undefined
    return this.check(incoming, theirs, current, ours, current)
  }

  /** When and until when `claim`'s principal was seen acting as principal, if it was. */
  private activityOf(claim: HeldClaim | IncomingClaim): PrincipalActivity | undefined {
    const principal = claim.principal
    if (principal === null) return undefined
    if (principal === this.init.selfId()) {
      const held = this.init.current()
      return held.principal === principal && held.term === claim.term
        ? { start: held.since, last: this.init.now() }
        : undefined
    }
    const member = this.init.member(principal)
    if (
      member === undefined ||
      member.status === 'dead' ||
      member.principal !== principal ||
      member.term !== claim.term
    )
      return undefined
    return { start: claim.issuedAt, last: member.lastSeen }
  }

  private check(
    a: Claim,
    activityA: PrincipalActivity,
    b: Claim,
    activityB: PrincipalActivity,
    winner: Claim,
  ): SplitBrainDetail | undefined {
    if (a.principal === null || b.principal === null || winner.principal === null) return undefined
    const overlap = overlapMs(activityA, activityB)
    if (!(overlap > this.init.graceMs())) return undefined
    const key = splitBrainKey(
      { principal: a.principal, term: a.term },
      { principal: b.principal, term: b.term },
    )
    if (!this.episodes.firstTime(key)) return undefined
    return {
      principals: [a.principal, b.principal],
      terms: [a.term, b.term],
      winner: winner.principal,
      overlapMs: Math.round(overlap),
    }
  }
}
