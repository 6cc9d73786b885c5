/**
 * Numbers of the peer layer (signed peer records and the peer manager), one place, each with
 * the reason for its value. Every one can be overridden through the services' `init`.
 */

/**
 * Largest signed peer record accepted or sent, in bytes. A record with a public key, a 64-byte
 * signature and a few addresses is ~200 B; 16 long addresses still fit.
 */
export const MAX_PEER_RECORD_BYTES = 1024

/** The same bound as base64 text, as the record travels in a heartbeat. */
export const MAX_PEER_RECORD_CHARS = Math.ceil(MAX_PEER_RECORD_BYTES / 3) * 4

/**
 * Addresses a record may hold. A host listening on 0.0.0.0 announces one per interface and
 * transport; more than this are cut from our record and refuse a received one.
 */
export const MAX_RECORD_ADDRS = 16

/** Records being verified at once; a heartbeat arriving meanwhile is skipped (the next one retries). */
export const MAX_RECORD_VERIFICATIONS = 32
/**
 * New members' records checked and stored per second after that first burst: a hundred
 * members' addresses are all known within a minute, while the peer manager needs a few.
 */
export const RECORD_CHECKS_PER_SECOND = 2

/** Peer-store tag of the peers whose record came in a member's heartbeat (dialed on start). */
export const MEMBER_TAG = 'patternmesh-member'

/** Connections the peer manager keeps (config `targetPeers`). */
export const DEFAULT_TARGET_PEERS = 6

/** Connections beyond which it prunes (config `maxPeers`). */
export const DEFAULT_MAX_PEERS = 24

/**
 * How often the peer manager looks at its connections. It also runs soon after a disconnect,
 * so a lost connection is replaced without waiting for the next round.
 */
export const PEER_MANAGER_INTERVAL_MS = 1_000

/**
 * A connection younger than this is never pruned: a node that just joined through us needs a
 * few heartbeats to learn the members and dial its own peers.
 */
export const PRUNE_GRACE_MS = 10_000

/** Dials of the peer manager in flight at once. */
export const MAX_PARALLEL_DIALS = 4

/** Members read from the peer store (at start, and again while the node has no connection). */
export const REMEMBERED_LIMIT = 64

/** While alone, the peer store is read again at most this often. */
export const REMEMBERED_RELOAD_MS = 30_000

/**
 * Every this many rounds the manager probes one member that is not alive (suspect or dead, but
 * still listed), even at its target: after a partition heals, this reconnects the two sides.
 */
export const PROBE_EVERY_ROUNDS = 5

/** Peers whose dial failures are remembered (backoff); the oldest are forgotten beyond it. */
export const MAX_BACKOFF_ENTRIES = 1024
