/** Numbers of directed messages, receipts and the message log (DESIGN §15). */

/** The direct stream protocol: one sealed request, one answer. */
export const DIRECT_PROTOCOL = '/patternmesh/direct/1.0.0'

/** Delivered messages kept for `GET /v1/messages` unless `messageLogSize` says otherwise. */
export const DEFAULT_MESSAGE_LOG_SIZE = 10_000

/** Bytes the message log keeps unless `messageLogBytes` says otherwise (64 MiB). */
export const DEFAULT_MESSAGE_LOG_BYTES = 64 * 1024 * 1024

/** What a log entry counts besides its payload: its id, sender and fields (an estimate). */
export const LOG_ENTRY_OVERHEAD_BYTES = 256

/** Messages one `GET /v1/messages` returns at most. */
export const MAX_LOG_PAGE = 1000

/** How long a directed send or an acknowledged broadcast waits by default, ms. */
export const DEFAULT_DIRECT_TIMEOUT_MS = 5000

/** Retry backoff of a directed send: first delay and cap, ms (doubled each attempt, jittered). */
export const RETRY_FIRST_MS = 50
export const RETRY_MAX_MS = 1000

/** One attempt's deadline (dial, write, answer) at most, ms. */
export const ATTEMPT_TIMEOUT_MS = 2000

/** Receipt polls of an acknowledged broadcast: first delay and cap, ms. */
export const RECEIPT_POLL_FIRST_MS = 20
export const RECEIPT_POLL_MAX_MS = 500

/** Sequence numbers one receipt query asks about at most. */
export const MAX_RECEIPT_QUERY = 1024

/** Acknowledged broadcasts awaiting receipts at once; more are refused. */
export const MAX_PENDING_ACKS = 1024

/** Directed sends in flight at once; more are refused. */
export const MAX_PENDING_SENDS = 1024

/** Inbound direct streams per connection at once. */
export const MAX_INBOUND_STREAMS = 32

/** Delivered direct message ids remembered to answer a retransmission with the same id. */
export const DELIVERED_MEMORY = 4096

/** Senders whose gossip data seqs are remembered for receipt queries. */
export const RECEIPT_SENDERS = 1024
