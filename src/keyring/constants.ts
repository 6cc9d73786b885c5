/** Keyring numbers, each with why. */

/** Members' exchange of keyrings: pushes of operations and anti-entropy both use it. */
export const KEYRING_PROTOCOL = '/patternmesh/keyring/1.0.0'
/** A keyring is a few keys and tombstones: a few KiB at most. */
export const MAX_KEYRING_MESSAGE_BYTES = 64 * 1024
/** Steps an exchange message may be away from ours (sealed with a step key of the sender's). */
export const KEYRING_AUTH_STEP_WINDOW = 60
/** Removed keys remembered (by id only), so that an old copy does not bring one back. */
export const MAX_TOMBSTONES = 64
/** Anti-entropy: one random connected peer every this many heartbeat intervals. */
export const SYNC_EVERY_HEARTBEATS = 5
/** Members asked at once when an operation is pushed. */
export const PUSH_CONCURRENCY = 16
export const KEYRING_FILE = 'keyring.json'
/** Audit log of key operations asked through the API (audit.ts). */
export const KEY_AUDIT_FILE = 'key-audit.jsonl'
/** A line is ~200 bytes: about 5,000 operations before it moves to `.1`. */
export const KEY_AUDIT_MAX_BYTES = 1024 * 1024
