import type { Anomaly, AnomalyKind } from './anomaly.js'

export interface AnomalyFilter {
  kinds?: ReadonlySet<string>
  peerId?: string
  limit?: number
}

export interface AnomalyStoreStats {
  stored: number
  capacity: number
  /** Anomalies pushed out of the ring by newer ones. */
  dropped: number
}

/**
 * A ring of the newest `capacity` anomalies: memory never grows with an attack's length, and
 * what falls out is counted. Lookups scan at most `capacity` records, newest first.
 */
export class AnomalyStore {
  readonly capacity: number
  private readonly ring: Array<Anomaly | undefined>
  private next = 0
  private size = 0
  private dropped = 0

  constructor(capacity: number) {
    if (!(Number.isInteger(capacity) && capacity > 0))
      throw new RangeError(`anomaly store capacity must be a positive integer, got ${capacity}`)
    this.capacity = capacity
    this.ring = new Array<Anomaly | undefined>(capacity)
  }

  push(anomaly: Anomaly): void {
    if (this.size === this.capacity) this.dropped++
    else this.size++
    this.ring[this.next] = anomaly
    this.next = (this.next + 1) % this.capacity
  }

  /** Newest first, filtered. */
  list(filter: AnomalyFilter = {}): Anomaly[] {
    const out: Anomaly[] = []
    const limit = filter.limit ?? this.capacity
    for (let i = 1; i <= this.size && out.length < limit; i++) {
      const anomaly = this.ring[(this.next - i + this.capacity) % this.capacity]!
      if (filter.kinds !== undefined && !filter.kinds.has(anomaly.kind)) continue
      if (filter.peerId !== undefined && anomaly.peerId !== filter.peerId) continue
      out.push(anomaly)
    }
    return out
  }

  /** Stored anomalies per kind. */
  countByKind(): Partial<Record<AnomalyKind, number>> {
    const counts: Partial<Record<AnomalyKind, number>> = {}
    for (const anomaly of this.list()) counts[anomaly.kind] = (counts[anomaly.kind] ?? 0) + 1
    return counts
  }

  stats(): AnomalyStoreStats {
    return { stored: this.size, capacity: this.capacity, dropped: this.dropped }
  }
}
