/**
 * Folding and rate limiting of outgoing reports (pure; the time is passed in). The first
 * occurrence of a (kind, offender) is reported at once; repeats within the window are folded
 * and go out as one report with their `count` when the window is over; and all reports
 * together draw from one token bucket, so 10k bad frames/s cost the mesh a few reports a
 * second. A fold whose report finds the bucket empty waits for the next flush (deferred,
 * counted), and its count keeps growing meanwhile: nothing is lost but time.
 */
import { LRUCache } from 'lru-cache'

/** A token bucket as a value: `tokens` counted at `at` (ms). */
export interface Tokens {
  tokens: number
  at: number
}

/** Refills at `ratePerSecond` up to `burst`, then takes one token if there is one. Pure. */
export function takeOne(
  state: Tokens,
  now: number,
  ratePerSecond: number,
  burst: number,
): { state: Tokens; ok: boolean } {
  const elapsed = Math.max(0, now - state.at)
  const tokens = Math.min(burst, state.tokens + (elapsed * ratePerSecond) / 1000)
  return tokens >= 1
    ? { state: { tokens: tokens - 1, at: now }, ok: true }
    : { state: { tokens, at: now }, ok: false }
}

export interface FoldPolicy {
  windowMs: number
  ratePerSecond: number
  burst: number
  maxKeys: number
}

/** A report due: `count` occurrences of `kind` by `offender`, with the latest evidence. */
export interface DueReport<E> {
  kind: string
  offender: string
  count: number
  firstAt: number
  lastAt: number
  evidence: E
}

export interface FolderStats {
  /** Occurrences offered. */
  offered: number
  /** Reports handed out to be sent. */
  due: number
  /** Times a due report waited for the rate limit. */
  deferred: number
  /** Occurrences lost with a key evicted for room before its report went out. */
  evicted: number
}

interface Fold<E> {
  kind: string
  offender: string
  /** When the last report of this key went out (-Infinity: never). */
  sentAt: number
  count: number
  firstAt: number
  lastAt: number
  evidence: E | undefined
}

export class ReportFolder<E> {
  private readonly policy: FoldPolicy
  private readonly folds: LRUCache<string, Fold<E>>
  /** The one bucket all reports draw from. */
  private bucket: Tokens
  private readonly counters: FolderStats = { offered: 0, due: 0, deferred: 0, evicted: 0 }

  constructor(policy: FoldPolicy, now: number) {
    this.policy = policy
    this.bucket = { tokens: policy.burst, at: now }
    this.folds = new LRUCache({
      max: policy.maxKeys,
      dispose: (fold, _key, reason) => {
        if (reason === 'evict') this.counters.evicted += fold.count
      },
    })
  }

  /** `count` occurrences at `now`; returns the report to send now, if one is due. */
  offer(
    kind: string,
    offender: string,
    evidence: E,
    now: number,
    count = 1,
  ): DueReport<E> | undefined {
    this.counters.offered++
    const key = `${kind}|${offender}`
    let fold = this.folds.get(key)
    if (fold === undefined) {
      fold = { kind, offender, sentAt: -Infinity, count: 0, firstAt: now, lastAt: now, evidence }
      this.folds.set(key, fold)
    }
    if (fold.count === 0) fold.firstAt = now
    fold.count += count
    fold.lastAt = now
    fold.evidence = evidence
    return this.release(fold, now)
  }

  /** The folded reports whose window is over (call every window). */
  flush(now: number): Array<DueReport<E>> {
    const out: Array<DueReport<E>> = []
    for (const [key, fold] of this.folds.entries()) {
      if (fold.count === 0) {
        // Quiet for a whole window after its last report: forget it.
        if (now - fold.sentAt >= this.policy.windowMs) this.folds.delete(key)
        continue
      }
      const due = this.release(fold, now)
      if (due !== undefined) out.push(due)
    }
    return out
  }

  stats(): FolderStats {
    return { ...this.counters }
  }

  private release(fold: Fold<E>, now: number): DueReport<E> | undefined {
    if (now - fold.sentAt < this.policy.windowMs || fold.evidence === undefined) return undefined
    if (!this.take(now)) {
      this.counters.deferred++
      return undefined
    }
    const due: DueReport<E> = {
      kind: fold.kind,
      offender: fold.offender,
      count: fold.count,
      firstAt: fold.firstAt,
      lastAt: fold.lastAt,
      evidence: fold.evidence,
    }
    fold.sentAt = now
    fold.count = 0
    fold.evidence = undefined
    this.counters.due++
    return due
  }

  private take(now: number): boolean {
    const taken = takeOne(this.bucket, now, this.policy.ratePerSecond, this.policy.burst)
    this.bucket = taken.state
    return taken.ok
  }
}
