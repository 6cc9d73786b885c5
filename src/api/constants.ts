/** Largest request body read: a message payload is at most a frame (64 KiB) anyway. */
export const DEFAULT_MAX_BODY_BYTES = 64 * 1024

/** Largest `POST /v1/messages` body: room for a batch of many small messages. */
export const DEFAULT_MESSAGES_BODY_BYTES = 1024 * 1024

/** Messages in one `POST /v1/messages` batch. */
export const MAX_BATCH_MESSAGES = 1000

/**
 * Write limit when the node's config has none (the daemon's default `apiRateLimit` is the
 * same): a token bucket shared by every client.
 */
export const DEFAULT_RATE_LIMIT = Object.freeze({ writesPerSecond: 200, burst: 400 })

/** Per-client WebSocket send buffer: beyond 1 MiB a slow client loses events (counted). */
export const DEFAULT_EVENT_BUFFER_BYTES = 1024 * 1024

/** Payload bytes of a message copied into its `/v1/events` frame. */
export const EVENT_DATA_CAP_BYTES = 1024

/** Largest frame a client may send on `/v1/events` (the API reads none: it is one-way). */
export const EVENT_CLIENT_MAX_PAYLOAD = 4 * 1024

/** Ping period of `/v1/events` clients; a client that misses a pong is closed. */
export const EVENT_PING_INTERVAL_MS = 30_000

/** Peers whose last step and frame time are remembered for `/v1/peers`. */
export const MAX_TRACKED_PEERS = 1024

/** `/v1/anomalies?limit=`: default and upper bound. */
export const DEFAULT_ANOMALY_LIMIT = 100
export const MAX_ANOMALY_LIMIT = 1000

/** Node's http timeouts, tightened: a control API has small requests. */
export const HEADERS_TIMEOUT_MS = 10_000
export const REQUEST_TIMEOUT_MS = 30_000
