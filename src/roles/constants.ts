/**
 * Role numbers. Timings are in heartbeats (multiples of the live `heartbeatIntervalMs`).
 */

/** Role-claim payloads larger than this are refused before parsing (a real one is ~100 B). */
export const CLAIM_MAX_BYTES = 1024

/**
 * "Heard the mesh": one heartbeat round and half an interval of jitter after the first sign
 * of peers (a step sync answered by peers, or the first peer heartbeat or claim). Every
 * connected peer sends one heartbeat per interval, so by then each has told us its term and
 * principal. Alone, a node has heard the mesh after `deadAfter` intervals.
 */
export const HEAR_MESH_HEARTBEATS = 1.5

/**
 * The stabilisation period, in heartbeats (10 s with the default interval): a claim younger
 * than this is still a formation race (a heavier node may take over), and with `preempt` a
 * heavier node must have been up this long before it takes over a settled mesh.
 */
export const DEFAULT_STABILISE_HEARTBEATS = 10

/** A node claims at most once an interval, whatever flaps: claims need time to spread. */
export const MIN_CLAIM_GAP_HEARTBEATS = 1

/**
 * Two principals active together for longer than this (heartbeats) is a split brain. A normal
 * hand-over overlaps for one gossip delay, a lost claim for one heartbeat; two is a margin.
 */
export const SPLIT_BRAIN_GRACE_HEARTBEATS = 2

/** Split-brain episodes remembered (so each is raised once); the oldest is forgotten first. */
export const SPLIT_BRAIN_MEMORY = 256

/**
 * A peer with this many rejected frames (gossipsub verdict `reject`) within the window loses
 * eligibility in our view until the window passes without that many.
 */
export const DEFAULT_MISBEHAVIOUR_REJECTS = 10

/** The misbehaviour window, in heartbeats. */
export const DEFAULT_MISBEHAVIOUR_WINDOW_HEARTBEATS = 10

/** Peers whose rejects are tracked; the least recently rejected is forgotten first. */
export const MAX_TRACKED_OFFENDERS = 1024

/** `<dataDir>/roles.json`: term, principal and own roles. */
export const ROLE_STATE_FILE = 'roles.json'

/** A role state file larger than this is corrupt, not read. */
export const ROLE_STATE_MAX_BYTES = 16 * 1024
