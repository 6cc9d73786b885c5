/**
 * The verdict rates of one node: accepted, rejected and data frames over the last window, the
 * per-peer table, PATTERN_MISMATCH since start. Written by the verdict and graylist detectors,
 * read by NetworkMetrics and `/v1/peers`.
 */
import { RATE_WINDOW_SECONDS } from './constants.js'
import { PeerStatsTable } from './peer-stats.js'
import { RateWindow } from './rate-window.js'

export class TrafficStats {
  readonly accepted = new RateWindow(RATE_WINDOW_SECONDS)
  readonly rejected = new RateWindow(RATE_WINDOW_SECONDS)
  readonly data = new RateWindow(RATE_WINDOW_SECONDS)
  readonly peers: PeerStatsTable
  patternMismatches = 0
  droppedWhileGraylisted = 0

  constructor(maxPeers: number) {
    this.peers = new PeerStatsTable({ maxPeers, spanSeconds: RATE_WINDOW_SECONDS })
  }

  /**
   * A graylisted peer's messages dropped unread count as rejected: the peer got there by
   * sending what we reject, and health must not read 100 % while it keeps sending.
   */
  graylistDrop(peerId: string, messages: number, at: number): void {
    for (let i = 0; i < messages; i++) this.rejected.add(at)
    this.droppedWhileGraylisted += messages
    this.peers.recordGraylistDrop(peerId, messages, at)
  }
}
