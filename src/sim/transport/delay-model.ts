/**
 * The pure part of the model: a seeded generator, per-link seeds, and the delay of one segment.
 * Timers and queues (link.ts) only apply what these functions return.
 */
import type { NetworkConditions } from './conditions.js'
import { MAX_RETRANSMISSIONS, MIN_RETRANSMIT_MS } from './constants.js'

import type { Rng } from '../../util/prng.js'

export { mulberry32, type Rng } from '../../util/prng.js'

/** FNV-1a hash of a string, 32 bits. */
export function hashString(text: string): number {
  let hash = 0x811c9dc5
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i)
    hash = Math.imul(hash, 0x01000193)
  }
  return hash >>> 0
}

/**
 * The seed of one link's generator: the network seed mixed with a key naming the link (its
 * ends and how many connections that pair opened before), so a link's delays do not depend on
 * what other links drew, nor on the order in which connections were opened.
 */
export function linkSeed(seed: number, linkKey: string): number {
  let h = (hashString(linkKey) ^ Math.imul(seed >>> 0, 0x9e3779b1)) >>> 0
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b)
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35)
  return (h ^ (h >>> 16)) >>> 0
}

/** The delay one retransmission adds: max(MIN_RETRANSMIT_MS, 2 × (latency + jitter)). */
export function retransmitDelayMs(conditions: NetworkConditions): number {
  return Math.max(MIN_RETRANSMIT_MS, 2 * (conditions.latencyMs + conditions.jitterMs))
}

export interface SegmentDelay {
  /** From send until the segment could arrive, ignoring the segments ahead of it, ms. */
  delayMs: number
  /** How many times it was lost and sent again. */
  retransmissions: number
}

/**
 * The delay of one segment: latency, plus jitter uniform in [0, jitterMs), plus one
 * `retransmitDelayMs` per loss, each try lost with probability `loss` (at most
 * MAX_RETRANSMISSIONS). Draws one number, plus one per loss trial when `loss` > 0.
 */
export function sampleSegmentDelay(rng: Rng, conditions: NetworkConditions): SegmentDelay {
  let delayMs = conditions.latencyMs + rng() * conditions.jitterMs
  let retransmissions = 0
  if (conditions.loss > 0) {
    const penalty = retransmitDelayMs(conditions)
    while (retransmissions < MAX_RETRANSMISSIONS && rng() < conditions.loss) {
      retransmissions++
      delayMs += penalty
    }
  }
  return { delayMs, retransmissions }
}

/**
 * When a segment is delivered: not before the one ahead of it on the same link (order, as in
 * TCP), and not before its own delay has passed — delays overlap, they do not add up.
 */
export function deliveryTime(previousDeliveryAt: number, sentAt: number, delayMs: number): number {
  return Math.max(previousDeliveryAt, sentAt + delayMs)
}
