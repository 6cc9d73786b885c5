/**
 * The repair protocol's messages (PROTOCOL.md §9). A request is UTF-8 JSON, at most
 * MAX_REQUEST_BYTES; the answer's first byte says what follows: 0 JSON (heads, or an error),
 * 1 a batch of frames (protocol/batch.ts layout), 2 no frames. Decoding never throws and
 * names what is wrong.
 */
import { decodeBatch, encodeBatch, MAX_BATCH_FRAMES } from '../protocol/index.js'
import {
  MAX_ANSWER_BYTES,
  MAX_HEADS_RANGES,
  MAX_HEADS_SENDERS,
  MAX_REQUEST_BYTES,
  MAX_REQUEST_FRAMES,
  MAX_REQUEST_RANGES,
} from './constants.js'
import { spanOf, type SeqRange } from './ranges.js'

export type RepairRequest =
  { v: 1; op: 'heads' } | { v: 1; op: 'frames'; sender: string; ranges: SeqRange[] }

export interface HeadsAnswer {
  v: 1
  heads: Array<{ sender: string; ranges: SeqRange[] }>
}

export type RepairErrorCode = 'MALFORMED' | 'TOO_MANY_FRAMES' | 'TOO_MANY_RANGES'

export type RepairAnswer =
  | { kind: 'heads'; heads: HeadsAnswer['heads'] }
  | { kind: 'frames'; frames: Uint8Array[] }
  | { kind: 'error'; error: RepairErrorCode; detail: string }

type Decoded<T> = { ok: true; value: T } | { ok: false; error: RepairErrorCode; detail: string }

const SENDER = /^[\x21-\x7e]{1,128}$/
const MAX_U53 = Number.MAX_SAFE_INTEGER

export function encodeRequest(request: RepairRequest): Uint8Array {
  return Buffer.from(JSON.stringify(request), 'utf8')
}

function bad(
  error: RepairErrorCode,
  detail: string,
): { ok: false; error: RepairErrorCode; detail: string } {
  return { ok: false, error, detail }
}

function isSeq(n: unknown): n is number {
  return typeof n === 'number' && Number.isInteger(n) && n >= 0 && n <= MAX_U53
}

/** Checks ranges: pairs of u53 with lo ≤ hi, ascending and disjoint. */
export function checkRanges(raw: unknown, maxRanges: number, what: string): Decoded<SeqRange[]> {
  if (!Array.isArray(raw)) return bad('MALFORMED', `${what}: ranges must be an array`)
  if (raw.length > maxRanges)
    return bad('TOO_MANY_RANGES', `${what}: ${raw.length} ranges; limit ${maxRanges}`)
  const out: SeqRange[] = []
  let last = -1
  for (const [i, r] of raw.entries()) {
    if (!Array.isArray(r) || r.length !== 2 || !isSeq(r[0]) || !isSeq(r[1]) || r[0] > r[1])
      return bad('MALFORMED', `${what}: range ${i} must be [lo, hi], integers 0 … 2^53-1, lo ≤ hi`)
    if (r[0] <= last) return bad('MALFORMED', `${what}: range ${i} overlaps or is out of order`)
    last = r[1]
    out.push([r[0], r[1]])
  }
  return { ok: true, value: out }
}

export function decodeRequest(bytes: Uint8Array): Decoded<RepairRequest> {
  if (bytes.length > MAX_REQUEST_BYTES)
    return bad('MALFORMED', `request of ${bytes.length} bytes; limit ${MAX_REQUEST_BYTES}`)
  let raw: unknown
  try {
    raw = JSON.parse(Buffer.from(bytes).toString('utf8'))
  } catch {
    return bad('MALFORMED', 'request is not JSON')
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    return bad('MALFORMED', 'request must be a JSON object')
  const r = raw as Record<string, unknown>
  if (r.v !== 1) return bad('MALFORMED', `request version must be 1, got ${JSON.stringify(r.v)}`)
  if (r.op === 'heads') return { ok: true, value: { v: 1, op: 'heads' } }
  if (r.op !== 'frames') return bad('MALFORMED', `op must be "heads" or "frames"`)
  if (typeof r.sender !== 'string' || !SENDER.test(r.sender))
    return bad('MALFORMED', 'sender must be a peer id (1-128 printable ASCII)')
  const ranges = checkRanges(r.ranges, MAX_REQUEST_RANGES, 'request')
  if (!ranges.ok) return ranges
  const span = spanOf(ranges.value)
  if (span > MAX_REQUEST_FRAMES)
    return bad('TOO_MANY_FRAMES', `request spans ${span} frames; limit ${MAX_REQUEST_FRAMES}`)
  return { ok: true, value: { v: 1, op: 'frames', sender: r.sender, ranges: ranges.value } }
}

export function encodeHeads(heads: HeadsAnswer['heads']): Uint8Array {
  return withKind(0, Buffer.from(JSON.stringify({ v: 1, heads }), 'utf8'))
}

export function encodeError(error: RepairErrorCode, detail: string): Uint8Array {
  return withKind(0, Buffer.from(JSON.stringify({ v: 1, error, detail }), 'utf8'))
}

export function encodeFrames(frames: readonly Uint8Array[]): Uint8Array {
  return frames.length === 0 ? Uint8Array.of(2) : withKind(1, encodeBatch(frames))
}

function withKind(kind: number, body: Uint8Array): Uint8Array {
  const out = Buffer.allocUnsafe(body.length + 1)
  out[0] = kind
  out.set(body, 1)
  return out
}

/** The largest answer a requester reads. */
export const MAX_ANSWER_MESSAGE_BYTES = MAX_ANSWER_BYTES + 64 * 1024

export function decodeAnswer(bytes: Uint8Array): Decoded<RepairAnswer> {
  if (bytes.length === 0) return bad('MALFORMED', 'empty answer')
  const body = bytes.subarray(1)
  if (bytes[0] === 2 && body.length === 0)
    return { ok: true, value: { kind: 'frames', frames: [] } }
  if (bytes[0] === 1) {
    const batch = decodeBatch(body, MAX_BATCH_FRAMES, MAX_ANSWER_MESSAGE_BYTES)
    if (!batch.ok) return bad('MALFORMED', `answer: ${batch.detail}`)
    return { ok: true, value: { kind: 'frames', frames: batch.frames } }
  }
  if (bytes[0] !== 0) return bad('MALFORMED', `answer kind ${bytes[0]} unknown`)
  let raw: unknown
  try {
    raw = JSON.parse(Buffer.from(body).toString('utf8'))
  } catch {
    return bad('MALFORMED', 'answer is not JSON')
  }
  const r = raw as Record<string, unknown> | null
  if (typeof r !== 'object' || r === null || r.v !== 1) return bad('MALFORMED', 'answer: bad JSON')
  if (typeof r.error === 'string') {
    const code = (['MALFORMED', 'TOO_MANY_FRAMES', 'TOO_MANY_RANGES'] as const).find(
      (c) => c === r.error,
    )
    return {
      ok: true,
      value: {
        kind: 'error',
        error: code ?? 'MALFORMED',
        detail: String(r.detail ?? '').slice(0, 500),
      },
    }
  }
  if (!Array.isArray(r.heads) || r.heads.length > MAX_HEADS_SENDERS)
    return bad('MALFORMED', `answer: heads must be an array of at most ${MAX_HEADS_SENDERS}`)
  const heads: HeadsAnswer['heads'] = []
  for (const h of r.heads as unknown[]) {
    const e = h as Record<string, unknown> | null
    if (
      typeof e !== 'object' ||
      e === null ||
      typeof e.sender !== 'string' ||
      !SENDER.test(e.sender)
    )
      return bad('MALFORMED', 'answer: a head needs a sender')
    const ranges = checkRanges(e.ranges, MAX_HEADS_RANGES, `heads of ${e.sender}`)
    if (!ranges.ok) return ranges
    heads.push({ sender: e.sender, ranges: ranges.value })
  }
  return { ok: true, value: { kind: 'heads', heads } }
}
