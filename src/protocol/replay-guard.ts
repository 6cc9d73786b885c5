import { LRUCache } from 'lru-cache'
import { DEFAULT_REPLAY_MAX_SENDERS, DEFAULT_REPLAY_WINDOW } from './constants.js'

/** How a (sender, seq) pair stands against what was already accepted. */
export type ReplayStatus = 'fresh' | 'seen' | 'below-window'

export interface ReplayGuardInit {
  /** Sequence numbers remembered per sender, below the highest one (rounded up to 32). */
  window?: number
  /** Senders tracked at once; the least recently heard is evicted and counted. */
  maxSenders?: number
}

export interface ReplayGuardStats {
  senders: number
  evictedSenders: number
}

/** Anti-replay window of one sender, as in IPsec: the highest seq and a bitmap below it. */
class SenderWindow {
  highest = -1
  readonly bits: Uint32Array

  constructor(words: number) {
    this.bits = new Uint32Array(words)
  }
}

/**
 * Bounded seen-set of (senderId, seq). Memory is `maxSenders × window` bits at most. Checking
 * is separate from recording, so a frame that fails a later check never marks a seq as seen.
 */
export class ReplayGuard {
  readonly window: number
  private readonly words: number
  private readonly senders: LRUCache<string, SenderWindow>
  private evictedSenders = 0

  constructor(init: ReplayGuardInit = {}) {
    this.words = Math.max(1, Math.ceil((init.window ?? DEFAULT_REPLAY_WINDOW) / 32))
    this.window = this.words * 32
    this.senders = new LRUCache<string, SenderWindow>({
      max: init.maxSenders ?? DEFAULT_REPLAY_MAX_SENDERS,
      dispose: (_value, _key, reason) => {
        if (reason === 'evict') this.evictedSenders++
      },
    })
  }

  /**
   * 'seen' only when this seq's bit is set: a seq above the highest, or never recorded, is
   * 'fresh' however far the sender has moved on (late is not replay); one below the window
   * cannot be vouched for either way.
   */
  check(senderId: string, seq: number): ReplayStatus {
    const state = this.senders.peek(senderId)
    if (state === undefined || seq > state.highest) return 'fresh'
    if (state.highest - seq >= this.window) return 'below-window'
    return this.isSet(state, seq) ? 'seen' : 'fresh'
  }

  record(senderId: string, seq: number): void {
    let state = this.senders.get(senderId)
    if (state === undefined) {
      state = new SenderWindow(this.words)
      this.senders.set(senderId, state)
    }
    if (seq > state.highest) {
      this.clearAbove(state, seq)
      state.highest = seq
    } else if (state.highest - seq >= this.window) {
      return
    }
    const slot = seq % this.window
    state.bits[slot >>> 5]! |= 1 << (slot & 31)
  }

  stats(): ReplayGuardStats {
    return { senders: this.senders.size, evictedSenders: this.evictedSenders }
  }

  private isSet(state: SenderWindow, seq: number): boolean {
    const slot = seq % this.window
    return (state.bits[slot >>> 5]! & (1 << (slot & 31))) !== 0
  }

  /** Forget the slots that `seq` reuses as the window slides up to it. */
  private clearAbove(state: SenderWindow, seq: number): void {
    if (state.highest < 0 || seq - state.highest >= this.window) {
      state.bits.fill(0)
      return
    }
    for (let s = state.highest + 1; s <= seq; s++) {
      const slot = s % this.window
      state.bits[slot >>> 5]! &= ~(1 << (slot & 31))
    }
  }
}
