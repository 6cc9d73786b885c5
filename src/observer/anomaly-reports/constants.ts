/** Defaults of the anomaly report service (DESIGN §14), overridable through its init. */

/**
 * Bytes of gossip data a report carries as evidence. Base64 makes it 4/3 larger, and the
 * report must fit in one control frame (64 KiB by default); a larger message is not
 * reported (counted as `unprovable`): its signature covers all of it.
 */
export const MAX_EVIDENCE_BYTES = 32 * 1024

/** One report per (kind, offender) per window; repeats within it ride on the next as `count`. */
export const DEFAULT_REPORT_WINDOW_MS = 1000

/** Reports this node sends per second at most, all offenders together, and its burst. */
export const DEFAULT_REPORT_RATE_PER_SECOND = 2
export const DEFAULT_REPORT_BURST = 5

/** (kind, offender) pairs folded at once; the least recent goes first (counted). */
export const DEFAULT_REPORT_MAX_KEYS = 256

/** Reports taken from one reporter per second, and its burst; the rest is ignored (counted). */
export const DEFAULT_INTAKE_RATE_PER_SECOND = 10
export const DEFAULT_INTAKE_BURST = 20

/** Evidence checks in flight at once (signature + frame verification); the rest is dropped. */
export const DEFAULT_MAX_PENDING_CHECKS = 32

/** Largest report payload taken (bytes of JSON). */
export const MAX_REPORT_PAYLOAD_BYTES = 60 * 1024
