/** Wire format version carried in every envelope's first byte. */
export const PROTOCOL_VERSION = 1

/** Envelope kinds, and their one-byte codes on the wire (PROTOCOL.md §3). */
export const ENVELOPE_KINDS = [
  'data',
  'heartbeat',
  'role-claim',
  'advice',
  'advice-status',
  'step-sync',
  // A first-hand rejection with its evidence (PROTOCOL.md §6, DESIGN §14).
  'anomaly-report',
] as const
export type EnvelopeKind = (typeof ENVELOPE_KINDS)[number]

/** Bytes of the truncated HMAC-SHA256 tag that closes every frame. */
export const TAG_BYTES = 16

/** Sender ids are libp2p peer id strings: ASCII (base58btc or base32), at most this long. */
export const MAX_SENDER_ID_BYTES = 128

/** Fixed header bytes: v, kind, senderId length, step, seq, pattern, timestamp, data length. */
export const FIXED_HEADER_BYTES = 1 + 1 + 1 + 8 + 8 + 4 + 8 + 4

/** Frames larger than this are refused before decoding (`OVERSIZE`). gossipsub's own cap is 1 MiB. */
export const DEFAULT_MAX_FRAME_BYTES = 64 * 1024

/** Steps a message may be away from the receiver's step and still be accepted. */
export const DEFAULT_STEP_WINDOW = 2

/** Per-sender window of sequence numbers remembered by the replay guard. */
export const DEFAULT_REPLAY_WINDOW = 4096

/** Senders tracked by the replay guard before the least recently heard is evicted (counted). */
export const DEFAULT_REPLAY_MAX_SENDERS = 10_000
