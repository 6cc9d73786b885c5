/** Sorted, disjoint, inclusive ranges of sequence numbers. */
export type SeqRange = readonly [lo: number, hi: number]

/** A set of seqs stored as sorted disjoint inclusive ranges; cheap for mostly-consecutive seqs. */
export class SeqSet {
  private readonly r: Array<[number, number]> = []

  get ranges(): readonly SeqRange[] {
    return this.r
  }

  get size(): number {
    let n = 0
    for (const [lo, hi] of this.r) n += hi - lo + 1
    return n
  }

  /** Index of the last range whose lo ≤ seq, or -1. */
  private find(seq: number): number {
    let a = 0
    let b = this.r.length - 1
    let at = -1
    while (a <= b) {
      const m = (a + b) >>> 1
      if (this.r[m]![0] <= seq) {
        at = m
        a = m + 1
      } else b = m - 1
    }
    return at
  }

  has(seq: number): boolean {
    const i = this.find(seq)
    return i >= 0 && this.r[i]![1] >= seq
  }

  /** Adds [lo, hi]; merges with neighbours. */
  add(lo: number, hi = lo): void {
    if (hi < lo) return
    let i = this.find(lo)
    if (i >= 0 && this.r[i]![1] >= lo - 1) {
      this.r[i]![1] = Math.max(this.r[i]![1], hi)
    } else {
      i++
      this.r.splice(i, 0, [lo, hi])
    }
    const cur = this.r[i]!
    while (i + 1 < this.r.length && this.r[i + 1]![0] <= cur[1] + 1) {
      cur[1] = Math.max(cur[1], this.r[i + 1]![1])
      this.r.splice(i + 1, 1)
    }
  }

  /** Removes [lo, hi]; returns how many seqs were removed. */
  remove(lo: number, hi = lo): number {
    if (lo === hi) {
      // One seq at the edge of a range (retention evicting its oldest): no new arrays.
      const at = this.find(lo)
      const range = at >= 0 ? this.r[at]! : undefined
      if (range === undefined || range[1] < lo) return 0
      if (range[0] === lo && range[1] === lo) this.r.splice(at, 1)
      else if (range[0] === lo) range[0] = lo + 1
      else if (range[1] === lo) range[1] = lo - 1
      else this.r.splice(at, 1, [range[0], lo - 1], [lo + 1, range[1]])
      return 1
    }
    let removed = 0
    let i = Math.max(0, this.find(lo))
    while (i < this.r.length && this.r[i]![0] <= hi) {
      const [a, b] = this.r[i]!
      if (b < lo) {
        i++
        continue
      }
      const from = Math.max(a, lo)
      const to = Math.min(b, hi)
      removed += to - from + 1
      const pieces: Array<[number, number]> = []
      if (a < from) pieces.push([a, from - 1])
      if (b > to) pieces.push([to + 1, b])
      this.r.splice(i, 1, ...pieces)
      i += pieces.length
    }
    return removed
  }

  /** The parts of [lo, hi] not in this set. */
  complement(lo: number, hi: number): SeqRange[] {
    const out: SeqRange[] = []
    let at = lo
    let i = Math.max(0, this.find(lo))
    for (; i < this.r.length && at <= hi; i++) {
      const [a, b] = this.r[i]!
      if (b < at) continue
      if (a > hi) break
      if (a > at) out.push([at, a - 1])
      at = b + 1
    }
    if (at <= hi) out.push([at, hi])
    return out
  }

  /** The parts of [lo, hi] in this set. */
  intersect(lo: number, hi: number): SeqRange[] {
    const out: SeqRange[] = []
    for (let i = Math.max(0, this.find(lo)); i < this.r.length; i++) {
      const [a, b] = this.r[i]!
      if (a > hi) break
      if (b < lo) continue
      out.push([Math.max(a, lo), Math.min(b, hi)])
    }
    return out
  }

  /** Drops the lowest range and returns it. */
  shift(): SeqRange | undefined {
    return this.r.shift()
  }

  /** Takes ranges from the bottom, at most `maxSeqs` seqs and `maxRanges` ranges. */
  take(maxSeqs: number, maxRanges: number): SeqRange[] {
    const out: SeqRange[] = []
    let left = maxSeqs
    for (const [lo, hi] of this.r) {
      if (left <= 0 || out.length >= maxRanges) break
      const to = Math.min(hi, lo + left - 1)
      out.push([lo, to])
      left -= to - lo + 1
    }
    return out
  }
}

export function spanOf(ranges: readonly SeqRange[]): number {
  let n = 0
  for (const [lo, hi] of ranges) n += hi - lo + 1
  return n
}
