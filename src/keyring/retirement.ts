/**
 * When a key stopped being this node's primary, so that `remove` waits for the frames stamped
 * under it to leave retention: members keep the frames they accepted for `retentionMs` to
 * repair others' gaps, and a frame under a removed key served for a repair would be refused
 * (PATTERN_MISMATCH, blamed on the member that served it): a message lost. Known from this
 * node's own switch (a `use` reaches every alive member within the operation); a node that
 * restarted since does not know it, and does not wait.
 */
import { KeyringOpError } from './state.js'

/** Keys remembered (a keyring holds at most 8; a few more switches back and forth). */
const MAX_RETIRED = 64

export class PrimaryRetirements {
  private readonly retiredAt = new Map<string, number>()

  /** The primary changed from `before` to `after` at `now`. */
  switched(before: string, after: string, now: number): void {
    if (before === after) return
    this.retiredAt.delete(before)
    this.retiredAt.delete(after)
    this.retiredAt.set(before, now)
    if (this.retiredAt.size > MAX_RETIRED) {
      const oldest = this.retiredAt.keys().next().value
      if (oldest !== undefined) this.retiredAt.delete(oldest)
    }
  }

  /** Ms until `id` may be removed (0: now). */
  waitMs(id: string, now: number, retentionMs: number): number {
    const at = this.retiredAt.get(id)
    return at === undefined ? 0 : Math.max(0, at + retentionMs - now)
  }

  /** Throws KEY_RECENTLY_PRIMARY (with `retryAfterMs`) while frames under `id` are retained. */
  assertRemovable(id: string, now: number, retentionMs: number): void {
    const wait = this.waitMs(id, now, retentionMs)
    if (wait === 0) return
    const ago = Math.floor((now - this.retiredAt.get(id)!) / 1000)
    throw new KeyringOpError(
      'KEY_RECENTLY_PRIMARY',
      `key ${id} was the primary ${ago} s ago: frames stamped under it are kept for repair for retentionMs (${retentionMs} ms); remove it in ${Math.ceil(wait / 1000)} s`,
      wait,
    )
  }
}
