/**
 * The retention buffer: the data frames this node accepted (and its own), as received, per
 * sender by seq, for `maxAgeMs` and within `maxBytes`; the oldest go first, counted. Pure; the
 * clock is passed in.
 */
import { MAX_HEADS_RANGES, MAX_HEADS_SENDERS } from './constants.js'
import { rangesOf, type SeqRange } from './ranges.js'

interface Kept {
  sender: string
  seq: number
  frame: Uint8Array
  at: number
}

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

/** Per-entry overhead counted against maxBytes besides the frame (map entry, queue slot). */
const ENTRY_OVERHEAD_BYTES = 96

export class RetentionBuffer {
  private maxAgeMs: number
  private maxBytes: number
  private readonly bySender = new Map<string, Map<number, Kept>>()
  /** Insertion order (≈ age): eviction pops from the front. */
  private queue: Kept[] = []
  private head = 0
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

  /** Keeps `frame` (copied: the caller's view may point into a larger gossip message). */
  add(sender: string, seq: number, frame: Uint8Array, now: number): boolean {
    let frames = this.bySender.get(sender)
    if (frames === undefined) {
      frames = new Map()
      this.bySender.set(sender, frames)
    }
    if (frames.has(seq)) return false
    const kept: Kept = { sender, seq, frame: Uint8Array.prototype.slice.call(frame), at: now }
    frames.set(seq, kept)
    this.queue.push(kept)
    this.bytes += frame.length + ENTRY_OVERHEAD_BYTES
    this.evict(now)
    return true
  }

  get(sender: string, seq: number): Uint8Array | undefined {
    return this.bySender.get(sender)?.get(seq)?.frame
  }

  /** The frames of `sender` in `ranges`, in seq order, until `maxBytes` is reached. */
  collect(sender: string, ranges: readonly SeqRange[], maxBytes: number): Uint8Array[] {
    const frames = this.bySender.get(sender)
    const out: Uint8Array[] = []
    if (frames === undefined) return out
    let bytes = 0
    for (const [lo, hi] of ranges) {
      for (let seq = lo; seq <= hi; seq++) {
        const kept = frames.get(seq)
        if (kept === undefined) continue
        if (bytes + kept.frame.length + 4 > maxBytes) return out
        bytes += kept.frame.length + 4
        out.push(kept.frame)
      }
    }
    return out
  }

  /** What is kept, per sender: its seq ranges (the newest `MAX_HEADS_RANGES`). */
  heads(exclude?: string): Array<{ sender: string; ranges: SeqRange[] }> {
    const out: Array<{ sender: string; ranges: SeqRange[] }> = []
    for (const [sender, frames] of this.bySender) {
      if (sender === exclude || frames.size === 0) continue
      const seqs = [...frames.keys()].sort((a, b) => a - b)
      out.push({ sender, ranges: rangesOf(seqs, MAX_HEADS_RANGES) })
      if (out.length >= MAX_HEADS_SENDERS) break
    }
    return out
  }

  evict(now: number): number {
    let n = 0
    while (this.head < this.queue.length) {
      const oldest = this.queue[this.head]!
      if (oldest.at + this.maxAgeMs > now && this.bytes <= this.maxBytes) break
      this.head++
      n++
      this.bytes -= oldest.frame.length + ENTRY_OVERHEAD_BYTES
      const frames = this.bySender.get(oldest.sender)
      frames?.delete(oldest.seq)
      if (frames?.size === 0) this.bySender.delete(oldest.sender)
    }
    // Compact the queue now and then instead of shifting on every eviction.
    if (this.head > 4096 && this.head * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.head)
      this.head = 0
    }
    this.evicted += n
    return n
  }

  stats(): RetentionStats {
    return { frames: this.queue.length - this.head, bytes: this.bytes, evicted: this.evicted }
  }
}
