import type { EnvelopeKind } from './constants.js'

/** What every mesh message carries (DESIGN §3); the tag travels after it on the wire. */
export interface Envelope {
  v: number
  kind: EnvelopeKind
  /** libp2p peer id string of the sender. */
  senderId: string
  globalStep: number
  /** Per-sender sequence number, strictly increasing across restarts (see PROTOCOL.md). */
  seq: number
  patternValue: number
  /** Sender's wall clock, ms since the epoch. Informational: used for latency, never trusted. */
  timestamp: number
  data: Uint8Array
}

/** The fields a sender chooses; version and pattern value are filled in when sealing. */
export type EnvelopeFields = Omit<Envelope, 'v' | 'patternValue'>

/** A decoded frame: the envelope, plus the exact body bytes and tag it arrived with. */
export interface DecodedFrame {
  envelope: Envelope
  body: Uint8Array
  tag: Uint8Array
}
