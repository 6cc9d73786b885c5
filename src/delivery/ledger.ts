/**
 * The delivery ledger: per sender, which data seqs were delivered (the dedup: handlers see
 * each message once) and which are known to be missing (what repair asks for). Pure; the
 * clock is passed in. Bounded: senders (LRU), delivered ranges per sender (the oldest fold
 * into a floor), missing seqs per sender.
 */
import { LRUCache } from 'lru-cache'
import {
  IN_RUN_GAP,
  MAX_DELIVERED_RANGES,
  MAX_MISSING_PER_SENDER,
  MAX_TRACKED_SENDERS,
} from './constants.js'
import type { LedgerSnapshot } from './delivered-store.js'
import { SeqSet, type SeqRange } from './ranges.js'

interface SenderState {
  delivered: SeqSet
  /** Every seq ≤ floor counts as settled (delivered, or given up on). */
  floor: number
  max: number
  missing: SeqSet
  /**
   * When each missing stretch was noticed (expiry counts it unrecoverable). A heads answer's
   * stretch is split at the newest seq seen then: the part above may be on its way by gossip.
   */
  noticed: Array<{ lo: number; hi: number; at: number }>
  /** When a frame of this sender was last delivered here. */
  lastAt: number
}

export interface AdmitResult {
  /** First delivery of this (sender, seq). */
  fresh: boolean
  /** The seq jumped far past the last one: a restart of the sender, or a long outage here. */
  jump: boolean
}

export interface LedgerInit {
  maxSenders?: number
  maxDeliveredRanges?: number
  maxMissingPerSender?: number
  inRunGap?: number
}

export interface Unrecoverable {
  sender: string
  lo: number
  hi: number
  count: number
}

export class DeliveryLedger {
  private readonly senders: LRUCache<string, SenderState>
  private readonly maxDeliveredRanges: number
  private readonly maxMissing: number
  private readonly inRunGap: number
  private unrecoverable_ = 0
  private duplicates_ = 0
  private changes_ = 0

  constructor(init: LedgerInit = {}) {
    this.senders = new LRUCache({ max: init.maxSenders ?? MAX_TRACKED_SENDERS })
    this.maxDeliveredRanges = init.maxDeliveredRanges ?? MAX_DELIVERED_RANGES
    this.maxMissing = init.maxMissingPerSender ?? MAX_MISSING_PER_SENDER
    this.inRunGap = init.inRunGap ?? IN_RUN_GAP
  }

  /** Messages given up on: missing longer than retention, or pushed out of the bounds. */
  get unrecoverable(): number {
    return this.unrecoverable_
  }

  /** Copies dropped because they were delivered before (gossip and repair both brought them). */
  get duplicates(): number {
    return this.duplicates_
  }

  /** Goes up whenever what counts as delivered changes (the snapshot is then due). */
  get changes(): number {
    return this.changes_
  }

  /**
   * What was delivered, to be saved: the `maxSenders` most recently heard senders, the newest
   * `maxRanges` delivered ranges of each. Left-out seqs count as never delivered when restored.
   */
  snapshot(maxSenders: number, maxRanges: number): LedgerSnapshot {
    const senders: LedgerSnapshot['senders'] = []
    for (const [sender, st] of this.senders.entries()) {
      if (senders.length >= maxSenders) break
      const ranges = st.delivered.ranges.filter(([, hi]) => hi > st.floor).slice(-maxRanges)
      senders.push({
        sender,
        floor: st.floor,
        ranges: ranges.map(([lo, hi]) => [Math.max(lo, st.floor + 1), hi] as const),
      })
    }
    return { v: 1, senders }
  }

  /**
   * Takes back a saved snapshot (at start, before any frame): its seqs count as delivered,
   * and a seq just above a sender's newest is a gap as if this node had never stopped.
   */
  restore(snapshot: LedgerSnapshot, now: number): void {
    // Least recent first, so the most recently heard end up most recent here too.
    for (const { sender, floor, ranges } of [...snapshot.senders].reverse()) {
      const st = this.fresh()
      st.floor = floor
      for (const [lo, hi] of ranges) st.delivered.add(lo, hi)
      st.max = Math.max(floor, ranges.at(-1)?.[1] ?? -1)
      st.lastAt = now
      this.senders.set(sender, st)
    }
  }

  /** Whether (sender, seq) was delivered (or settled): the message log can ask too. */
  has(sender: string, seq: number): boolean {
    const st = this.senders.peek(sender)
    return st !== undefined && (seq <= st.floor || st.delivered.has(seq))
  }

  private fresh(): SenderState {
    return {
      delivered: new SeqSet(),
      floor: -1,
      max: -1,
      missing: new SeqSet(),
      noticed: [],
      lastAt: 0,
    }
  }

  /** Records a delivery; `fresh: false` means a copy, to be dropped. */
  admit(sender: string, seq: number, now: number): AdmitResult {
    let st = this.senders.get(sender)
    if (st === undefined) {
      st = this.fresh()
      this.senders.set(sender, st)
    }
    if (seq <= st.floor || st.delivered.has(seq)) {
      this.duplicates_++
      return { fresh: false, jump: false }
    }
    st.delivered.add(seq)
    st.missing.remove(seq)
    st.lastAt = now
    this.changes_++
    let jump = false
    if (st.max >= 0 && seq > st.max + 1) {
      const gap = seq - st.max - 1
      // Within a run seqs go up by one per frame: a short jump is frames we never saw. A long
      // one is a new run (seqs restart at Date.now() × 1000) — the heads exchange tells.
      if (gap <= this.inRunGap) this.addMissing(st, sender, st.max + 1, seq - 1, now)
      else jump = true
    }
    st.max = Math.max(st.max, seq)
    this.foldOldest(st, sender)
    return { fresh: true, jump }
  }

  /**
   * A peer retains `ranges` of `sender`: what of them was never delivered here is missing.
   * A first sight of a sender (a restart here) backfills everything retained.
   */
  noteRetained(sender: string, ranges: readonly SeqRange[], now: number): number {
    let st = this.senders.get(sender)
    if (st === undefined) {
      st = this.fresh()
      // Never heard of here: its gossip may be about to arrive; give it a tail grace first.
      st.lastAt = now
      this.senders.set(sender, st)
    }
    let added = 0
    for (const [lo0, hi] of ranges) {
      // An exaggerated range cannot make us chase a billion seqs: its newest part only.
      const lo = Math.max(lo0, st.floor + 1, hi - this.maxMissing + 1)
      if (hi < lo) continue
      for (const [a, b] of st.delivered.complement(lo, hi)) {
        for (const [c, d] of st.missing.complement(a, b)) {
          // Above the newest seq seen here, frames may still be on their way by gossip (a
          // busy receiver lags): asked for only once the sender's gossip has gone quiet.
          const tail = Math.max(c, st.max + 1)
          if (st.max >= 0 && tail <= d) {
            if (tail > c) added += this.addMissing(st, sender, c, tail - 1, now)
            added += this.addMissing(st, sender, tail, d, now)
          } else added += this.addMissing(st, sender, c, d, now)
        }
      }
    }
    return added
  }

  /** Senders with missing seqs, and their ranges (lowest first). */
  missing(): Array<{ sender: string; ranges: readonly SeqRange[]; count: number }> {
    const out: Array<{ sender: string; ranges: readonly SeqRange[]; count: number }> = []
    for (const [sender, st] of this.senders.entries()) {
      if (st.missing.ranges.length > 0)
        out.push({ sender, ranges: st.missing.ranges, count: st.missing.size })
    }
    return out
  }

  /**
   * Missing ranges of `sender` noticed at least `graceMs` ago (a frame still in flight on
   * gossip is not asked for), at most `maxSeqs` seqs in `maxRanges` ranges, lowest first.
   */
  ripe(
    sender: string,
    now: number,
    graceMs: number,
    maxSeqs: number,
    maxRanges: number,
    tailGraceMs = graceMs,
  ): SeqRange[] {
    const st = this.senders.peek(sender)
    if (st === undefined) return []
    const picked = new SeqSet()
    const quiet = st.lastAt + tailGraceMs <= now
    for (const n of st.noticed) {
      // Above the newest seq seen here: maybe still on its way by gossip, unless it went quiet.
      if (n.at + graceMs > now || (n.lo > st.max && !quiet)) continue
      for (const [a, b] of st.missing.intersect(n.lo, n.hi)) picked.add(a, b)
    }
    return picked.take(maxSeqs, maxRanges)
  }

  /** Missing seqs of `sender` now. */
  missingCount(sender: string): number {
    return this.senders.peek(sender)?.missing.size ?? 0
  }

  /** Gives up on what has been missing longer than `maxAgeMs`: counted, and settled. */
  expire(now: number, maxAgeMs: number): Unrecoverable[] {
    const lost: Unrecoverable[] = []
    const overdue = (st: SenderState): boolean =>
      st.noticed.length > 0 && st.noticed[0]!.at + maxAgeMs <= now
    for (const [sender, st] of this.senders.entries()) {
      // Most senders have nothing overdue: this runs every tick for every sender.
      if (!overdue(st)) continue
      while (overdue(st)) {
        const { lo, hi } = st.noticed.shift()!
        const count = st.missing.remove(lo, hi)
        if (count > 0) {
          // Settled: never asked for again, never delivered late out of the blue either.
          for (const [a, b] of st.delivered.complement(lo, hi)) st.delivered.add(a, b)
          this.unrecoverable_ += count
          this.changes_++
          lost.push({ sender, lo, hi, count })
        }
      }
      this.foldOldest(st, sender)
    }
    return lost
  }

  private addMissing(
    st: SenderState,
    _sender: string,
    lo: number,
    hi: number,
    now: number,
  ): number {
    const room = this.maxMissing - st.missing.size
    if (room <= 0) {
      this.unrecoverable_ += hi - lo + 1
      return 0
    }
    const from = Math.max(lo, hi - room + 1)
    if (from > lo) this.unrecoverable_ += from - lo
    st.missing.add(from, hi)
    st.noticed.push({ lo: from, hi, at: now })
    return hi - from + 1
  }

  private foldOldest(st: SenderState, _sender: string): void {
    while (st.delivered.ranges.length > this.maxDeliveredRanges) {
      const oldest = st.delivered.shift()!
      st.floor = Math.max(st.floor, oldest[1])
      const lost = st.missing.remove(0, st.floor)
      this.unrecoverable_ += lost
    }
  }
}
