/**
 * Binary envelope codec (PROTOCOL.md §3). Binary rather than JSON: decoding must be cheap
 * enough for a full verify to run at about half the raw HMAC rate, and a fixed layout leaves
 * no room for prototype pollution or type confusion.
 */
import { EncodeError } from '../errors.js'
import {
  DEFAULT_MAX_FRAME_BYTES,
  ENVELOPE_KINDS,
  FIXED_HEADER_BYTES,
  MAX_SENDER_ID_BYTES,
  PROTOCOL_VERSION,
  TAG_BYTES,
  type EnvelopeKind,
} from './constants.js'
import type { DecodedFrame, Envelope } from './envelope.js'

const KIND_CODES = new Map<EnvelopeKind, number>(ENVELOPE_KINDS.map((kind, i) => [kind, i]))
const TWO_POW_32 = 0x1_0000_0000
const MAX_HIGH_WORD = Math.floor(Number.MAX_SAFE_INTEGER / TWO_POW_32)

export type DecodeFailure = { ok: false; code: 'MALFORMED' | 'OVERSIZE'; detail: string }
export type DecodeResult = { ok: true; frame: DecodedFrame } | DecodeFailure

/** Bytes of the encoded body (without the tag) of an envelope. */
export function bodyLength(senderIdBytes: number, dataBytes: number): number {
  return FIXED_HEADER_BYTES + senderIdBytes + dataBytes
}

/**
 * Writes the body of `envelope` into a new buffer with `trailer` spare bytes at the end (the
 * sealer puts the tag there, so a frame costs one allocation).
 */
export function encodeBody(envelope: Envelope, trailer = 0): Buffer {
  checkEnvelope(envelope)
  const out = Buffer.allocUnsafe(
    bodyLength(envelope.senderId.length, envelope.data.length) + trailer,
  )
  writeBody(envelope, out, 0)
  return out
}

/** Writes the body of `envelope` into `target` at `offset`; returns the offset after it. */
export function encodeBodyInto(envelope: Envelope, target: Buffer, offset: number): number {
  checkEnvelope(envelope)
  return writeBody(envelope, target, offset)
}

function checkEnvelope(envelope: Envelope): void {
  if (!KIND_CODES.has(envelope.kind))
    throw new EncodeError(`unknown envelope kind ${String(envelope.kind)}`)
  if (!isPeerIdText(envelope.senderId)) {
    throw new EncodeError(`senderId must be 1..${MAX_SENDER_ID_BYTES} printable ASCII characters`)
  }
  checkU53('globalStep', envelope.globalStep)
  checkU53('seq', envelope.seq)
  checkU53('timestamp', envelope.timestamp)
  if (
    !Number.isInteger(envelope.patternValue) ||
    envelope.patternValue < 0 ||
    envelope.patternValue > 0x7fffffff
  ) {
    throw new EncodeError(
      `patternValue must be a 31-bit integer, got ${String(envelope.patternValue)}`,
    )
  }
  if (!(envelope.data instanceof Uint8Array)) throw new EncodeError('data must be a Uint8Array')
}

function writeBody(envelope: Envelope, out: Buffer, offset: number): number {
  const senderLength = envelope.senderId.length
  let at = offset
  out[at++] = envelope.v
  out[at++] = KIND_CODES.get(envelope.kind)!
  out[at++] = senderLength
  at += out.write(envelope.senderId, at, 'latin1')
  at = writeU53(out, at, envelope.globalStep)
  at = writeU53(out, at, envelope.seq)
  out.writeUInt32BE(envelope.patternValue, at)
  at += 4
  at = writeU53(out, at, envelope.timestamp)
  out.writeUInt32BE(envelope.data.length, at)
  at += 4
  out.set(envelope.data, at)
  return at + envelope.data.length
}

/**
 * Decodes a whole frame (body ‖ tag). Never throws: any frame gets an envelope or a failure
 * code. The size is checked before anything is read.
 */
export function decodeFrame(
  frame: Uint8Array,
  maxFrameBytes = DEFAULT_MAX_FRAME_BYTES,
): DecodeResult {
  if (!(frame instanceof Uint8Array)) return malformed('frame is not bytes')
  if (frame.length > maxFrameBytes) {
    return {
      ok: false,
      code: 'OVERSIZE',
      detail: `frame of ${frame.length} bytes exceeds ${maxFrameBytes}`,
    }
  }
  if (frame.length < FIXED_HEADER_BYTES + 1 + TAG_BYTES)
    return malformed(`frame of ${frame.length} bytes is too short`)
  const view = Buffer.from(frame.buffer, frame.byteOffset, frame.length)

  let at = 0
  const v = view[at++]!
  if (v !== PROTOCOL_VERSION) return malformed(`unsupported version ${v}`)
  const kind = ENVELOPE_KINDS[view[at++]!]
  if (kind === undefined) return malformed(`unknown kind code ${view[at - 1]!}`)
  const senderLength = view[at++]!
  if (senderLength === 0 || senderLength > MAX_SENDER_ID_BYTES)
    return malformed(`bad senderId length ${senderLength}`)
  if (frame.length < FIXED_HEADER_BYTES + senderLength + TAG_BYTES)
    return malformed('frame truncated in header')
  for (let i = at; i < at + senderLength; i++) {
    const c = view[i]!
    if (c < 0x21 || c > 0x7e) return malformed('senderId is not printable ASCII')
  }
  const senderId = view.toString('latin1', at, at + senderLength)
  at += senderLength

  const globalStep = readU53(view, at)
  if (globalStep < 0) return malformed('globalStep exceeds 2^53-1')
  at += 8
  const seq = readU53(view, at)
  if (seq < 0) return malformed('seq exceeds 2^53-1')
  at += 8
  const patternValue = view.readUInt32BE(at)
  if (patternValue > 0x7fffffff) return malformed('patternValue exceeds 31 bits')
  at += 4
  const timestamp = readU53(view, at)
  if (timestamp < 0) return malformed('timestamp exceeds 2^53-1')
  at += 8
  const dataLength = view.readUInt32BE(at)
  at += 4
  if (at + dataLength + TAG_BYTES !== frame.length) {
    return malformed(`data length ${dataLength} does not match a frame of ${frame.length} bytes`)
  }
  const envelope: Envelope = {
    v,
    kind,
    senderId,
    globalStep,
    seq,
    patternValue,
    timestamp,
    data: frame.subarray(at, at + dataLength),
  }
  return {
    ok: true,
    frame: {
      envelope,
      body: frame.subarray(0, at + dataLength),
      tag: frame.subarray(at + dataLength),
    },
  }
}

export function isPeerIdText(text: unknown): text is string {
  if (typeof text !== 'string' || text.length === 0 || text.length > MAX_SENDER_ID_BYTES)
    return false
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (c < 0x21 || c > 0x7e) return false
  }
  return true
}

function malformed(detail: string): DecodeFailure {
  return { ok: false, code: 'MALFORMED', detail }
}

function checkU53(name: string, n: number): void {
  if (!Number.isSafeInteger(n) || n < 0)
    throw new EncodeError(`${name} must be an integer in 0..2^53-1, got ${String(n)}`)
}

function writeU53(out: Buffer, at: number, n: number): number {
  out.writeUInt32BE(Math.floor(n / TWO_POW_32), at)
  out.writeUInt32BE(n >>> 0, at + 4)
  return at + 8
}

/** A u64 that fits a safe integer, or -1. */
function readU53(view: Buffer, at: number): number {
  const high = view.readUInt32BE(at)
  if (high > MAX_HIGH_WORD) return -1
  return high * TWO_POW_32 + view.readUInt32BE(at + 4)
}
