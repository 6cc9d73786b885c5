/**
 * One slab of the retention buffer: frames copied back to back into one large buffer, with
 * their sender, seq and arrival time in typed arrays. Hundreds of thousands of retained frames
 * then cost a few dozen objects instead of two each (a Map entry and a buffer), which is what
 * made retention show up in the garbage collector. A slab is never reused: views handed out
 * stay valid for as long as their holder keeps them.
 */

/** Bytes of the largest slab; a frame larger than this gets a slab of its own. */
export const SLAB_BYTES = 1024 * 1024
/** Frames in the largest slab (small frames would otherwise make the index arrays huge). */
export const SLAB_FRAMES = 8192
/**
 * The first slab is this many times smaller; each next one twice the last, up to the largest:
 * a quiet node (or each of a hundred in one simulation) does not hold a megabyte it never fills.
 */
export const FIRST_SLAB_DIVISOR = 16

export class FrameSlab {
  readonly bytes: Uint8Array
  readonly senders: Uint32Array
  readonly seqs: Float64Array
  readonly at: Float64Array
  readonly offsets: Uint32Array
  readonly lengths: Uint32Array
  /** Frames written. */
  count = 0
  /** Frames evicted from the front. */
  head = 0
  private used = 0

  /** `scale` in (0, 1]: the share of the largest slab this one has. */
  constructor(minBytes: number, scale = 1) {
    const frames = Math.ceil(SLAB_FRAMES * scale)
    this.bytes = new Uint8Array(Math.max(Math.ceil(SLAB_BYTES * scale), minBytes))
    this.senders = new Uint32Array(frames)
    this.seqs = new Float64Array(frames)
    this.at = new Float64Array(frames)
    this.offsets = new Uint32Array(frames)
    this.lengths = new Uint32Array(frames)
  }

  fits(length: number): boolean {
    return this.count < this.seqs.length && this.used + length <= this.bytes.length
  }

  /** Copies `frame` in; the caller checked `fits`. Returns its index. */
  push(sender: number, seq: number, frame: Uint8Array, now: number): number {
    const i = this.count++
    this.bytes.set(frame, this.used)
    this.senders[i] = sender
    this.seqs[i] = seq
    this.at[i] = now
    this.offsets[i] = this.used
    this.lengths[i] = frame.length
    this.used += frame.length
    return i
  }

  frame(i: number): Uint8Array {
    return this.bytes.subarray(this.offsets[i]!, this.offsets[i]! + this.lengths[i]!)
  }

  /** Whether every frame written here was evicted. */
  get drained(): boolean {
    return this.head >= this.count
  }
}
