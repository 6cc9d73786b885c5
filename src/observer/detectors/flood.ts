/** FLOOD: a token bucket per signer (pure rule in ../flood.ts), one anomaly per episode. */
import { LRUCache } from 'lru-cache'
import type { AnomalySink } from '../anomaly-reporter.js'
import { DEFAULT_FLOOD_BURST, DEFAULT_FLOOD_RATE_PER_SECOND } from '../constants.js'
import { fullBucket, takeToken, type BucketState, type FloodPolicy } from '../flood.js'
import type { ObserverConfig } from '../sources.js'

export interface FloodDetectorComponents {
  sink: AnomalySink
  liveConfig: ObserverConfig
}

export class FloodDetector {
  private readonly components: FloodDetectorComponents
  private readonly override: Partial<FloodPolicy> | undefined
  private readonly buckets: LRUCache<string, BucketState>

  constructor(
    components: FloodDetectorComponents,
    init: { maxPeers: number; override?: Partial<FloodPolicy> },
  ) {
    this.components = components
    this.override = init.override
    this.buckets = new LRUCache({ max: init.maxPeers })
  }

  /** The init's override, else the node's config (live: CONFIG advice), else defaults. */
  policy(): FloodPolicy {
    const config = this.components.liveConfig.config
    return {
      ratePerSecond:
        this.override?.ratePerSecond ?? config.floodRatePerSecond ?? DEFAULT_FLOOD_RATE_PER_SECOND,
      burst: this.override?.burst ?? config.floodBurst ?? DEFAULT_FLOOD_BURST,
    }
  }

  check(from: string, at: number, step: number | null): void {
    const policy = this.policy()
    const outcome = takeToken(this.buckets.get(from) ?? fullBucket(policy, at), at, policy)
    this.buckets.set(from, outcome.state)
    if (!outcome.startedFlood) return
    this.components.sink.record({
      kind: 'FLOOD',
      peerId: from,
      step,
      detail: `more than ${policy.ratePerSecond} frames/s (burst ${policy.burst})`,
      at,
    })
  }
}
