/** Defaults of the conditioned memory transport. */

/**
 * Bytes one direction of a connection may hold in flight before the sender is told to wait
 * (`canSendMore: false`, then `drain`). Like a TCP socket's send buffer plus the window.
 */
export const DEFAULT_MAX_QUEUED_BYTES = 1024 * 1024

/** `drain` is signalled once a full queue has emptied to this fraction of its limit. */
export const DRAIN_FRACTION = 0.5

/** Bytes handed to `sendData` at once: larger writes are split (each piece is one "segment"). */
export const MAX_SEGMENT_BYTES = 64 * 1024

/** A retransmission never costs less than this, ms (TCP's minimum RTO is 200 ms). */
export const MIN_RETRANSMIT_MS = 200

/** One segment is retransmitted at most this often, whatever `loss` says. */
export const MAX_RETRANSMISSIONS = 16

/** `loss` must be below 1: a link that loses everything never delivers (use a partition). */
export const MAX_LOSS = 0.99

/** Seed of the delay generator when `init.seed` is not given. */
export const DEFAULT_SEED = 1
