/**
 * Defaults of the libp2p layer, one place, each with the reason for its value. Everything
 * here can be overridden through `MeshLibp2pInit`; nothing else in src/net hard-codes a number.
 */

/** Daemon TCP listen address (all interfaces, fixed port so peers can bootstrap to it). */
export const DEFAULT_TCP_LISTEN = '/ip4/0.0.0.0/tcp/4001'

/** Daemon WebSocket listen address (browsers and proxies that only speak WebSocket). */
export const DEFAULT_WS_LISTEN = '/ip4/0.0.0.0/tcp/4002/ws'

/** What a daemon listens on when `listen` is not given and the transport is `tcp`. */
export const DEFAULT_LISTEN: readonly string[] = [DEFAULT_TCP_LISTEN, DEFAULT_WS_LISTEN]

/**
 * Upper bound of one dial, including the pnet, noise and yamux upgrade. 5 s: a loopback or
 * LAN dial finishes in milliseconds; a PSK node dialing a node without the PSK never gets an
 * answer and would wait for libp2p's 10 s default.
 */
export const DIAL_TIMEOUT_MS = 5_000

/**
 * Connection manager limits for local meshes. libp2p's defaults accept 5 inbound connections
 * per second per host and 10 upgrades in flight, so a 20-node mesh on 127.0.0.1 starting at
 * once gets refused. One host may open this many connections a second:
 */
export const INBOUND_CONNECTION_THRESHOLD = 200

/** Inbound connections allowed to be mid-upgrade at once (libp2p default 10). */
export const MAX_INCOMING_PENDING_CONNECTIONS = 128

/** Connections kept before libp2p starts pruning (libp2p default 300). */
export const MAX_CONNECTIONS = 300

/** Dials run in parallel across all peers (libp2p default 100/50). */
export const MAX_PARALLEL_DIALS = 64

/** Bootstrap redial backoff: first retry after this many ms ... */
export const BOOTSTRAP_BACKOFF_BASE_MS = 1_000

/** ... each further failure multiplies the delay by this factor ... */
export const BOOTSTRAP_BACKOFF_FACTOR = 2

/** ... up to this ceiling; a bootstrap peer that is down is retried forever at this pace. */
export const BOOTSTRAP_BACKOFF_MAX_MS = 30_000

/**
 * Random spread added to each backoff delay, as a fraction of it (0.2 = up to +20 %), so that
 * nodes restarted together do not redial in lockstep.
 */
export const BOOTSTRAP_BACKOFF_JITTER = 0.2

/**
 * mDNS query interval (libp2p default 10 s). A node answers queries as soon as it starts and
 * queries once at start, so two nodes find each other right away; the interval only matters
 * for peers that were missed.
 */
export const MDNS_INTERVAL_MS = 10_000

/**
 * mDNS service name. Not libp2p's `_p2p._udp.local`: on a LAN with IPFS nodes we would dial
 * every one of them. Only patternmesh daemons answer this one.
 */
export const MDNS_SERVICE_TAG = '_patternmesh._udp.local'

/** Discovered peers dialed at the same time; more discoveries wait for a free slot. */
export const DISCOVERY_DIAL_CONCURRENCY = 4

/** Discoveries waiting for a dial slot; beyond this the newest are dropped (mDNS repeats). */
export const DISCOVERY_QUEUE_LIMIT = 64

/** A discovered peer is not redialed sooner than this after a dial attempt (ok or failed). */
export const DISCOVERY_REDIAL_COOLDOWN_MS = 5_000

/** gossipsub mesh degree D when none is given: libp2p's own default. */
export const DEFAULT_MESH_DEGREE = 6
