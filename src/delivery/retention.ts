/**
 * The retention buffer: the data frames this node accepted (and its own), as received, per
 * sender by seq, for `maxAgeMs` and within `maxBytes`; the oldest go first, counted. Pure; the
 * clock is passed in.
 *
 * Frames are copied into slabs (frame-slab.ts) in arrival order, which is also eviction order;
 * per sender only the set of retained seqs is kept (a few ranges). Adding and evicting are the
 * hot path (every frame); lookups serve repair requests, which are rare and bounded, so they
 * scan the slabs.
 */
import { MAX_HEADS_RANGES, MAX_HEADS_SENDERS } from './constants.js'
import { FIRST_SLAB_DIVISOR, FrameSlab } from './frame-slab.js'
import { SeqSet, type SeqRange } from './ranges.js'

export interface RetentionInit {
  maxAgeMs: number
  maxBytes: number
}

export interface RetentionStats {
  frames: number
  bytes: number
  /** Frames that left the buffer by age or size. */
  evicted: number
}

/** Per-frame overhead counted against maxBytes besides the frame (its slots in the slab index). */
export const ENTRY_OVERHEAD_BYTES = 32

interface SenderEntry {
  readonly id: string
  readonly index: number
  readonly seqs: SeqSet
  frames: number
}

export class RetentionBuffer {
  private maxAgeMs: number
  private maxBytes: number
  private readonly senders = new Map<string, SenderEntry>()
  private readonly byIndex = new Map<number, SenderEntry>()
  private nextIndex = 0
  /** Oldest first; the last one takes new frames. */
  private readonly slabs: FrameSlab[] = []
  /** The size of the next slab, as a share of the largest (doubles up to 1). */
  private nextScale = 1 / FIRST_SLAB_DIVISOR
  private frames = 0
  private bytes = 0
  private evicted = 0

  constructor(init: RetentionInit) {
    this.maxAgeMs = init.maxAgeMs
    this.maxBytes = init.maxBytes
  }

  setLimits(maxAgeMs: number, maxBytes: number): void {
    this.maxAgeMs = maxAgeMs
    this.maxBytes = maxBytes
  }

  /** Keeps a copy of `frame` (the caller's view may point into a larger gossip message). */
  add(sender: string, seq: number, frame: Uint8Array, now: number): boolean {
    let entry = this.senders.get(sender)
    if (entry === undefined) {
      entry = { id: sender, index: this.nextIndex++, seqs: new SeqSet(), frames: 0 }
      this.senders.set(sender, entry)
      this.byIndex.set(entry.index, entry)
    } else if (entry.seqs.has(seq)) return false
    let slab = this.slabs[this.slabs.length - 1]
    if (slab === undefined || !slab.fits(frame.length)) {
      slab = new FrameSlab(frame.length, this.nextScale)
      this.nextScale = Math.min(1, this.nextScale * 2)
      this.slabs.push(slab)
    }
    slab.push(entry.index, seq, frame, now)
    entry.seqs.add(seq)
    entry.frames++
    this.frames++
    this.bytes += frame.length + ENTRY_OVERHEAD_BYTES
    this.evict(now)
    return true
  }

  get(sender: string, seq: number): Uint8Array | undefined {
    return this.collect(sender, [[seq, seq]], Infinity)[0]
  }

  /** The frames of `sender` in `ranges`, in seq order, until `maxBytes` is reached. */
  collect(sender: string, ranges: readonly SeqRange[], maxBytes: number): Uint8Array[] {
    const entry = this.senders.get(sender)
    if (entry === undefined) return []
    const wanted = new SeqSet()
    for (const [lo, hi] of ranges)
      for (const [a, b] of entry.seqs.intersect(lo, hi)) wanted.add(a, b)
    if (wanted.ranges.length === 0) return []
    const found: Array<{ seq: number; frame: Uint8Array }> = []
    for (const slab of this.slabs) {
      for (let i = slab.head; i < slab.count; i++) {
        if (slab.senders[i] === entry.index && wanted.has(slab.seqs[i]!))
          found.push({ seq: slab.seqs[i]!, frame: slab.frame(i) })
      }
    }
    found.sort((x, y) => x.seq - y.seq)
    const out: Uint8Array[] = []
    let bytes = 0
    for (const { frame } of found) {
      if (bytes + frame.length + 4 > maxBytes) break
      bytes += frame.length + 4
      out.push(frame)
    }
    return out
  }

  /** What is kept, per sender: its seq ranges (the newest `MAX_HEADS_RANGES`). */
  heads(exclude?: string): Array<{ sender: string; ranges: SeqRange[] }> {
    const out: Array<{ sender: string; ranges: SeqRange[] }> = []
    for (const entry of this.senders.values()) {
      if (entry.id === exclude || entry.frames === 0) continue
      const ranges = entry.seqs.ranges
      const newest = ranges.length > MAX_HEADS_RANGES ? ranges.slice(-MAX_HEADS_RANGES) : ranges
      out.push({ sender: entry.id, ranges: newest.map(([lo, hi]) => [lo, hi] as const) })
      if (out.length >= MAX_HEADS_SENDERS) break
    }
    return out
  }

  evict(now: number): number {
    let n = 0
    for (;;) {
      const slab = this.slabs[0]
      if (slab === undefined) break
      if (slab.drained) {
        if (this.slabs.length === 1) break // the current slab: it still takes frames
        this.slabs.shift()
        continue
      }
      const i = slab.head
      if (slab.at[i]! + this.maxAgeMs > now && this.bytes <= this.maxBytes) break
      slab.head++
      n++
      this.frames--
      this.bytes -= slab.lengths[i]! + ENTRY_OVERHEAD_BYTES
      const entry = this.byIndex.get(slab.senders[i]!)!
      entry.seqs.remove(slab.seqs[i]!)
      if (--entry.frames === 0) {
        this.senders.delete(entry.id)
        this.byIndex.delete(entry.index)
      }
    }
    this.evicted += n
    return n
  }

  stats(): RetentionStats {
    return { frames: this.frames, bytes: this.bytes, evicted: this.evicted }
  }
}
