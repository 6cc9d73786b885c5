/** Counters of a conditioned memory network: what was sent, delayed, queued and still running. */

export interface SimTransportStats {
  /** Connections opened since the network was made. */
  connectionsOpened: number
  /** Connections with at least one end not yet closed. */
  openConnections: number
  /** Segments (writes of the encrypted byte stream, ≤ MAX_SEGMENT_BYTES) and their bytes. */
  segmentsSent: number
  bytesSent: number
  segmentsDelivered: number
  bytesDelivered: number
  /** Segments delayed by at least one retransmission, and retransmissions in all. */
  segmentsRetransmitted: number
  retransmissions: number
  /** Segments and bytes in flight now (sent, not yet delivered). */
  queuedSegments: number
  queuedBytes: number
  /** Segments and bytes thrown away because their connection was reset or closed. */
  segmentsDiscarded: number
  bytesDiscarded: number
  /** Times a sender was told to wait (`canSendMore: false`), and `drain`s that followed. */
  backpressureEvents: number
  drainEvents: number
  /** Timers armed now: one at most per direction of a connection, plus dials in progress. */
  activeTimers: number
}

export function createStats(): SimTransportStats {
  return {
    connectionsOpened: 0,
    openConnections: 0,
    segmentsSent: 0,
    bytesSent: 0,
    segmentsDelivered: 0,
    bytesDelivered: 0,
    segmentsRetransmitted: 0,
    retransmissions: 0,
    queuedSegments: 0,
    queuedBytes: 0,
    segmentsDiscarded: 0,
    bytesDiscarded: 0,
    backpressureEvents: 0,
    drainEvents: 0,
    activeTimers: 0,
  }
}
