/** Advice numbers, each with why. */

export const ADVICE_RELAY_PROTOCOL = '/patternmesh/advice-relay/1.0.0'
export const ADVICE_SYNC_PROTOCOL = '/patternmesh/advice-sync/1.0.0'

/** Largest payload JSON of one advice: it travels in one control frame (64 KiB by default). */
export const MAX_PAYLOAD_BYTES = 16 * 1024
/** Largest relay or sync message: a pull answer carries up to MAX_PULL_KEYS items. */
export const MAX_SYNC_BYTES = 1024 * 1024
export const MAX_TARGETS = 256
/** Time to live: at least 100 ms, at most a week. */
export const MIN_TTL_MS = 100
export const MAX_TTL_MS = 7 * 24 * 3600 * 1000

/** Anti-entropy: rounds every this many heartbeats, with this many random peers each. */
export const SYNC_EVERY_HEARTBEATS = 2
export const SYNC_PEERS_PER_ROUND = 1
/** A trie bucket with at most this many items is answered with its item hashes. */
export const SYNC_LEAF_ITEMS = 8
/** Levels of the hex trie walked at most (16 hex digits of item hash). */
export const SYNC_MAX_DEPTH = 16
/** Items asked per pull; the rest waits for the next round. */
export const MAX_PULL_KEYS = 256
/** Control frames waiting to be processed; beyond it they are dropped and counted. */
export const INGEST_QUEUE_LIMIT = 4096
/** Steps a relay/sync message may be away from ours (authenticated with the step key). */
export const AUTH_STEP_WINDOW = 60
/** Advice past expiry by this long is dropped at compaction (kept if it is a key's winner). */
export const RETAIN_AFTER_EXPIRY_MS = 3600 * 1000
/** The log is compacted when it holds this many times more lines than live records. */
export const COMPACT_RATIO = 2
export const COMPACT_MIN_LINES = 1000

export const ADVICE_LOG_FILE = 'advice.jsonl'
export const ADVICE_AUDIT_FILE = 'advice-audit.jsonl'
/** Past this size the audit moves to `advice-audit.jsonl.1` (replacing it): two files at most. */
export const ADVICE_AUDIT_MAX_BYTES = 1024 * 1024
