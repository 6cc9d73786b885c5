import { LRUCache } from 'lru-cache'
import type { VerdictCode } from '../protocol/index.js'
import { RateWindow } from './rate-window.js'

/** Per-peer statistics, as `/v1/peers` and the dashboard show them. */
export interface PeerStats {
  peerId: string
  /** Frames signed by this peer, by verdict code. */
  verdicts: Partial<Record<VerdictCode, number>>
  /** Accepted data messages per second over the last window. */
  messagesPerSecond: number
  /** Mean ms from frame timestamp to acceptance over the last window; null if none. */
  latencyMs: number | null
  /** The step of its last accepted frame, null if none. */
  lastStep: number | null
  /** ms since the epoch of its last frame. */
  lastSeen: number
  anomalies: number
  /**
   * Gossip messages from this peer that gossipsub dropped unread while it was graylisted
   * (score below graylistThreshold): the attacker is still active, just no longer read.
   */
  droppedWhileGraylisted: number
}

interface Entry {
  verdicts: Partial<Record<VerdictCode, number>>
  data: RateWindow
  latency: RateWindow
  lastStep: number | null
  lastSeen: number
  anomalies: number
  droppedWhileGraylisted: number
}

/** Statistics of at most `maxPeers` peers; the least recently heard one is evicted. */
export class PeerStatsTable {
  private readonly entries: LRUCache<string, Entry>
  private readonly spanSeconds: number

  constructor(init: { maxPeers: number; spanSeconds: number }) {
    this.entries = new LRUCache({ max: init.maxPeers })
    this.spanSeconds = init.spanSeconds
  }

  record(
    peerId: string,
    code: VerdictCode,
    now: number,
    accepted?: { step: number; latencyMs: number; data: boolean },
  ): void {
    const entry = this.entry(peerId, now)
    entry.verdicts[code] = (entry.verdicts[code] ?? 0) + 1
    entry.lastSeen = now
    if (accepted !== undefined) {
      entry.lastStep = accepted.step
      entry.latency.add(now, accepted.latencyMs)
      if (accepted.data) entry.data.add(now)
    }
  }

  /** `messages` gossip messages of `peerId` dropped unread while it was graylisted. */
  recordGraylistDrop(peerId: string, messages: number, now: number): void {
    const entry = this.entry(peerId, now)
    entry.droppedWhileGraylisted += messages
    entry.lastSeen = now
  }

  countAnomaly(peerId: string): void {
    const entry = this.entries.peek(peerId)
    if (entry !== undefined) entry.anomalies++
  }

  get(peerId: string, now: number): PeerStats | undefined {
    const entry = this.entries.peek(peerId)
    return entry === undefined ? undefined : view(peerId, entry, now)
  }

  list(now: number): PeerStats[] {
    return [...this.entries.entries()].map(([peerId, entry]) => view(peerId, entry, now))
  }

  private entry(peerId: string, now: number): Entry {
    let entry = this.entries.get(peerId)
    if (entry === undefined) {
      entry = {
        verdicts: {},
        data: new RateWindow(this.spanSeconds),
        latency: new RateWindow(this.spanSeconds),
        lastStep: null,
        lastSeen: now,
        anomalies: 0,
        droppedWhileGraylisted: 0,
      }
      this.entries.set(peerId, entry)
    }
    return entry
  }
}

function view(peerId: string, entry: Entry, now: number): PeerStats {
  const latency = entry.latency.mean(now)
  return {
    peerId,
    verdicts: { ...entry.verdicts },
    messagesPerSecond: entry.data.rate(now),
    latencyMs: latency === null ? null : Math.round(latency * 10) / 10,
    lastStep: entry.lastStep,
    lastSeen: entry.lastSeen,
    anomalies: entry.anomalies,
    droppedWhileGraylisted: entry.droppedWhileGraylisted,
  }
}
