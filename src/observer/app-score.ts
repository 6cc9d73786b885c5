/**
 * The application-specific part of a peer's gossipsub score: penalty points per anomaly,
 * decaying with a half-life. Pure rule (`decayedPoints`) and a bounded ledger around it.
 */
import { LRUCache } from 'lru-cache'

/** `points` recorded `elapsedMs` ago, halved every `halfLifeMs`. */
export function decayedPoints(points: number, elapsedMs: number, halfLifeMs: number): number {
  if (points === 0) return 0
  return points * Math.pow(0.5, Math.max(0, elapsedMs) / halfLifeMs)
}

export class PenaltyLedger {
  private readonly entries: LRUCache<string, { points: number; at: number }>
  private readonly halfLifeMs: number

  constructor(init: { halfLifeMs: number; maxPeers: number }) {
    this.halfLifeMs = init.halfLifeMs
    this.entries = new LRUCache({ max: init.maxPeers })
  }

  add(peerId: string, points: number, now: number): void {
    if (points <= 0) return
    const entry = this.entries.get(peerId)
    const current =
      entry === undefined ? 0 : decayedPoints(entry.points, now - entry.at, this.halfLifeMs)
    this.entries.set(peerId, { points: current + points, at: now })
  }

  points(peerId: string, now: number): number {
    const entry = this.entries.peek(peerId)
    return entry === undefined ? 0 : decayedPoints(entry.points, now - entry.at, this.halfLifeMs)
  }

  /** gossipsub's P5 value for the peer: 0 or negative. */
  score(peerId: string, now: number): number {
    const points = this.points(peerId, now)
    return points === 0 ? 0 : -points
  }
}
