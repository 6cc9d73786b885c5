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
