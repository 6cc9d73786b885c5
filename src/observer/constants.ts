/** Defaults of the MeshObserver, every one overridable through `MeshObserverInit`. */

/** Anomalies kept (a ring: the oldest go first, counted as dropped). */
export const DEFAULT_ANOMALY_CAPACITY = 1000

/** Peers with statistics at once (least recently heard evicted). */
export const DEFAULT_MAX_PEERS = 1024

/**
 * One anomaly record per (peer, kind) per this many ms; repeats within it are folded into
 * the next record's `count`, so an attack at 10k frames/s is a few records a second, not 10k.
 */
export const DEFAULT_COALESCE_MS = 1000

/**
 * FLOOD, when the node's config has no `floodRatePerSecond` / `floodBurst` (the config keys
 * are the normal source, read live so a CONFIG advice changes them): frames per second one
 * signer may sustain, and its burst. Generous on purpose: a benchmark's honest sender
 * reaches ~130k frames/s in batches.
 */
export const DEFAULT_FLOOD_RATE_PER_SECOND = 50_000
export const DEFAULT_FLOOD_BURST = 100_000

/**
 * STEP_DIVERGENCE: a member whose heartbeat step is more than this many steps from ours. At
 * least the far-skew bound (2 × stepWindow + 1) so honest lag at a boundary never counts.
 */
export const DEFAULT_DIVERGENCE_STEPS = 10

/** Window of rates and mean latencies, seconds. */
export const RATE_WINDOW_SECONDS = 10

/**
 * Application-specific gossipsub score (P5): penalty points per anomalous frame or report
 * (repeats folded into one record still count), halving every `APP_SCORE_HALF_LIFE_MS`; the
 * score is −points (gossipsub multiplies by appSpecificWeight, 10). Three critical frames
 * (−90) pass the graylist threshold (−80) on their own, even with a full positive topic score
 * of +10; with gossipsub's own P4 penalty for the rejections, two do.
 */
export const APP_SCORE_POINTS = { critical: 3, warning: 1, info: 0 } as const
export const APP_SCORE_HALF_LIFE_MS = 5 * 60_000

/** A SPLIT_BRAIN this recent halves the network health. */
export const SPLIT_BRAIN_HEALTH_MS = 60_000
