/**
 * Split brain, pure: two principals were active at the same time, each unaware of the other,
 * for longer than a hand-over takes. A principal's activity runs from when its claim was
 * issued (claims carry their age, so no clock sync is needed) to the last time it was seen
 * acting as principal.
 */

export interface PrincipalActivity {
  /** Local time its claim was issued (or we started following it). */
  start: number
  /** Local time it was last seen acting as principal. */
  last: number
}

/** How long (ms) both were active together; ≤ 0 when they never were. */
export function overlapMs(a: PrincipalActivity, b: PrincipalActivity): number {
  return Math.min(a.last, b.last) - Math.max(a.start, b.start)
}

export function isSplitBrain(a: PrincipalActivity, b: PrincipalActivity, graceMs: number): boolean {
  return overlapMs(a, b) > graceMs
}

/** One key per pair of (principal, term) claims, in either order: one report per episode. */
export function splitBrainKey(
  a: { principal: string; term: number },
  b: { principal: string; term: number },
): string {
  const left = `${a.principal}#${a.term}`
  const right = `${b.principal}#${b.term}`
  return left < right ? `${left}|${right}` : `${right}|${left}`
}

/** Episodes already reported, bounded: the oldest is forgotten first. */
export class EpisodeMemory {
  private readonly seen = new Set<string>()
  private readonly max: number

  constructor(max: number) {
    this.max = max
  }

  /** True the first time `key` is seen (since it was last forgotten). */
  firstTime(key: string): boolean {
    if (this.seen.has(key)) return false
    this.seen.add(key)
    while (this.seen.size > this.max) {
      const oldest = this.seen.values().next().value
      if (oldest === undefined) break
      this.seen.delete(oldest)
    }
    return true
  }
}
