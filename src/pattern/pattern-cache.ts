import { LRUCache } from 'lru-cache'
import type { KeyObject } from 'node:crypto'

/** What one step costs to derive, kept so that it is derived once. */
export interface StepEntry {
  readonly step: number
  readonly phase: number
  readonly value: number
  /** Full HMAC output: the key that tags envelopes of this step. */
  readonly stepKey: Buffer
  /** The same key imported once: node:crypto's HMAC is ~2× faster with a KeyObject. */
  readonly tagKey: KeyObject
}

export interface PatternCacheStats {
  size: number
  max: number
  hits: number
  misses: number
  evictions: number
}

/**
 * Bounded LRU of step entries keyed by step. Memory stays at `max` entries however many
 * steps are seen; evictions are counted rather than silent.
 */
export class PatternCache {
  private readonly lru: LRUCache<number, StepEntry>
  private hits = 0
  private misses = 0
  private evictions = 0

  constructor(max: number) {
    this.lru = new LRUCache<number, StepEntry>({
      max,
      dispose: (_value, _key, reason) => {
        if (reason === 'evict') this.evictions++
      },
    })
  }

  get(step: number): StepEntry | undefined {
    const entry = this.lru.get(step)
    if (entry === undefined) this.misses++
    else this.hits++
    return entry
  }

  set(entry: StepEntry): void {
    this.lru.set(entry.step, entry)
  }

  clear(): void {
    this.lru.clear()
  }

  stats(): PatternCacheStats {
    return {
      size: this.lru.size,
      max: this.lru.max,
      hits: this.hits,
      misses: this.misses,
      evictions: this.evictions,
    }
  }
}
