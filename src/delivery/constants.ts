/** The repair protocol (DESIGN §15, PROTOCOL.md §9). */
export const REPAIR_PROTOCOL = '/patternmesh/repair/1.0.0'

/** A request's JSON is at most this long: 64 ranges of two u53 fit with room to spare. */
export const MAX_REQUEST_BYTES = 8 * 1024
/** Ranges in one frames request. */
export const MAX_REQUEST_RANGES = 64
/** Sequence numbers one frames request may span, all ranges together. */
export const MAX_REQUEST_FRAMES = 4096
/** Frame bytes in one answer; the rest is asked for again. */
export const MAX_ANSWER_BYTES = 1024 * 1024
/** Senders in a heads answer, and seq ranges per sender in it. */
export const MAX_HEADS_SENDERS = 1024
export const MAX_HEADS_RANGES = 32

/** A seq jump larger than this is a restart of the sender (a new run), not a gap. */
export const IN_RUN_GAP = 10_000
/** Seqs one sender may have missing at once (a heads range is clipped to its newest part). */
export const MAX_MISSING_PER_SENDER = 1_000_000
/** Delivered seq ranges remembered per sender; the oldest are merged into a floor. */
export const MAX_DELIVERED_RANGES = 4096
/** Senders tracked at once (least recently heard evicted). */
export const MAX_TRACKED_SENDERS = 4096

/** How often the repair loop looks at what is missing. */
export const TICK_MS = 100
/** A heads exchange with one random connected peer this often: tail losses show up there. */
export const HEADS_INTERVAL_MS = 2_000
/** At most one heads exchange with a (re)connected peer per this many ms (heads-exchange.ts). */
export const CONNECT_HEADS_GAP_MS = 1_000
/**
 * Seqs a heads answer shows above the newest one delivered here may still be on their way by
 * gossip (a busy receiver lags seconds behind): they are asked for only once no frame of that
 * sender has arrived for this long (holes below the newest seq are asked for at once).
 */
export const TAIL_GRACE_MS = 1_000
/** Requests in flight at once. */
export const MAX_IN_FLIGHT = 2
/** Deadline of one request. */
export const REQUEST_TIMEOUT_MS = 5_000
/** Backoff of a peer after a failed request, doubling up to the max. */
export const BACKOFF_MIN_MS = 250
export const BACKOFF_MAX_MS = 8_000
/** A peer that answered with a forged or unrequested frame is not asked again for this long. */
export const BAD_REPAIRER_BACKOFF_MS = 60_000

/** The delivered-seqs snapshot in the data dir, saved this often (and at stop) when it changed. */
export const DELIVERED_FILE = 'delivered.json'
export const SAVE_INTERVAL_MS = 1_000
/** Senders (most recently heard) and delivered ranges (newest) each a snapshot keeps. */
export const SNAPSHOT_MAX_SENDERS = 1024
export const SNAPSHOT_MAX_RANGES = 256
/** A snapshot file larger than this is refused: 1,024 × 256 ranges fit with room to spare. */
export const DELIVERED_FILE_MAX_BYTES = 16 * 1024 * 1024
