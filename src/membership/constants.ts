/**
 * Membership numbers. Timings are in heartbeats (multiples of the live `heartbeatIntervalMs`),
 * so a CONFIG advice that changes the interval scales them all.
 */

/**
 * Heartbeat payloads larger than this are refused before parsing. A real one is ~300 B plus
 * the sender's peer record (≤ 1,368 base64 chars, ~250 usually); full metadata adds ≤ 5 KiB.
 */
export const HEARTBEAT_MAX_BYTES = 8192

/**
 * A heartbeat counts as missed once it is half an interval overdue: timer and gossip jitter
 * must not make a healthy member suspect, least of all with `suspectAfter: 1`.
 */
export const LATE_TOLERANCE = 0.5

/**
 * A timer of ours firing this late means this process was paused: the failure detector then
 * holds its judgement a while (heartbeat-schedule.ts). Timers on a healthy event loop are a
 * few ms late; a GC pause or a starved core is hundreds.
 */
export const PAUSE_THRESHOLD_MS = 100

/**
 * After a pause the detector holds until a probe timer this long fires on time: the process
 * has then caught up with the heartbeats queued meanwhile (pause-hold.ts).
 */
export const PAUSE_PROBE_MS = 50

/** Each heartbeat goes out up to this fraction of an interval early (see Membership). */
export const HEARTBEAT_JITTER = 0.1

/** Bounds of the interval a heartbeat may announce (the config schema's bounds). */
export const MIN_INTERVAL_MS = 10
export const MAX_INTERVAL_MS = 600_000

/**
 * A member is timed by the interval it announces, up to this many times our own: a slower
 * device may heartbeat less often, but no member can make itself undetectably dead for hours.
 */
export const MAX_ANNOUNCED_INTERVAL_FACTOR = 10

/** Roles a heartbeat may list, and the length of each. */
export const MAX_ROLES = 8
export const MAX_ROLE_LENGTH = 32

/** Operator metadata carried in heartbeats (`metadata`): entries, key and value lengths. */
export const MAX_METADATA_ENTRIES = 16
export const MAX_METADATA_KEY_LENGTH = 64
export const MAX_METADATA_VALUE_LENGTH = 256

/** Longest `version` string a heartbeat may carry. */
export const MAX_VERSION_LENGTH = 64

/**
 * Flapping: more than this many status changes of one member within the window raise
 * `members.flapping`. Four changes are two suspect/alive round trips, which a lost packet or a
 * GC pause can explain; five or more within the window cannot.
 */
export const DEFAULT_FLAP_MAX_CHANGES = 4

/** The flapping window, in heartbeats (30 s with the default 1 s interval). */
export const DEFAULT_FLAP_WINDOW_HEARTBEATS = 30

/**
 * Dead members stay listed (for `/v1/peers` and the observer) this many heartbeats after their
 * last one, then they are dropped (`members.removed`); a full table drops them earlier.
 */
export const DEFAULT_DEAD_RETENTION_HEARTBEATS = 300

/** Log at most one warning per this many ms about members that do not fit in the table. */
export const OVERFLOW_LOG_INTERVAL_MS = 10_000

/** A member table answer (fast joining) holds at most this many members… */
export const MEMBER_TABLE_MAX_ENTRIES = 1024

/** …and this many bytes (a member is ~400 B: a thousand fit). */
export const MEMBER_TABLE_MAX_BYTES = 512 * 1024

/** Member tables a node takes in after it starts; then heartbeats tell it the rest. */
export const MEMBER_TABLE_ANSWERS_PER_START = 3

/** Member tables asked of peers at once; more wait in a queue of this many peers. */
export const MEMBER_TABLE_PULLS_IN_FLIGHT = 4
export const MEMBER_TABLE_PULL_QUEUE = 64

/** How long `leave()` waits at most for its last heartbeat to go out. */
export const DEFAULT_LEAVE_TIMEOUT_MS = 2000
