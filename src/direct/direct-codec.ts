/**
 * The `/patternmesh/direct/1.0.0` wire format. A request is one length-prefixed message:
 * one type byte, then a sealed data-kind envelope (PROTOCOL.md §3) whose data is the
 * directed payload (`MESSAGE`) or the data seqs whose receipts are asked (`RECEIPTS`, u64be
 * each). The answer is UTF-8 JSON: `{ ok: true, id, duplicate }` for a message, `{ ok: true,
 * seen: [seq…] }` for receipts, `{ ok: false, code, detail }` for a refusal.
 */
import { MAX_RECEIPT_QUERY } from './constants.js'

export const REQUEST_MESSAGE = 1
export const REQUEST_RECEIPTS = 2
export type RequestType = typeof REQUEST_MESSAGE | typeof REQUEST_RECEIPTS

export type DirectAnswer =
  | { ok: true; id: string; duplicate: boolean }
  | { ok: true; seen: number[] }
  | { ok: false; code: string; detail: string }

export function encodeRequest(type: RequestType, frame: Uint8Array): Uint8Array {
  const out = new Uint8Array(frame.length + 1)
  out[0] = type
  out.set(frame, 1)
  return out
}

export function decodeRequest(
  bytes: Uint8Array,
): { type: RequestType; frame: Uint8Array } | { error: string } {
  const type = bytes[0]
  if (type !== REQUEST_MESSAGE && type !== REQUEST_RECEIPTS)
    return { error: `unknown request type ${String(type)}` }
  return { type, frame: bytes.subarray(1) }
}

export function encodeSeqs(seqs: readonly number[]): Uint8Array {
  const out = Buffer.alloc(seqs.length * 8)
  seqs.forEach((seq, i) => out.writeBigUInt64BE(BigInt(seq), i * 8))
  return out
}

export function decodeSeqs(data: Uint8Array): number[] | { error: string } {
  if (data.length % 8 !== 0) return { error: 'receipt query length is not a multiple of 8' }
  const count = data.length / 8
  if (count > MAX_RECEIPT_QUERY)
    return { error: `receipt query of ${count} seqs exceeds ${MAX_RECEIPT_QUERY}` }
  const view = Buffer.from(data.buffer, data.byteOffset, data.length)
  const seqs: number[] = []
  for (let i = 0; i < count; i++) {
    const seq = view.readBigUInt64BE(i * 8)
    if (seq > BigInt(Number.MAX_SAFE_INTEGER)) return { error: 'receipt query seq above 2^53' }
    seqs.push(Number(seq))
  }
  return seqs
}

export function encodeAnswer(answer: DirectAnswer): Uint8Array {
  return Buffer.from(JSON.stringify(answer), 'utf8')
}

/** Decodes an answer, checking its shape; a malformed one is a refusal named MALFORMED_ANSWER. */
export function decodeAnswer(bytes: Uint8Array): DirectAnswer {
  let value: unknown
  try {
    value = JSON.parse(Buffer.from(bytes).toString('utf8'))
  } catch {
    return { ok: false, code: 'MALFORMED_ANSWER', detail: 'the answer is not JSON' }
  }
  const answer = value as Record<string, unknown>
  if (answer['ok'] === true && typeof answer['id'] === 'string')
    return { ok: true, id: answer['id'], duplicate: answer['duplicate'] === true }
  if (
    answer['ok'] === true &&
    Array.isArray(answer['seen']) &&
    answer['seen'].every((seq) => Number.isSafeInteger(seq))
  )
    return { ok: true, seen: answer['seen'] as number[] }
  if (answer['ok'] === false && typeof answer['code'] === 'string')
    return { ok: false, code: answer['code'], detail: String(answer['detail'] ?? '') }
  return { ok: false, code: 'MALFORMED_ANSWER', detail: 'the answer has an unknown shape' }
}
