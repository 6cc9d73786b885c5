import type { FrameVerdictDetail, MeshMessage } from '../node/index.js'
import type { StepChangeDetail } from '../sync/step-clock.js'
import { EVENT_DATA_CAP_BYTES } from './constants.js'

/** Event types a client may ask for with `/v1/events?types=` (DESIGN §8, plus `rejected`). */
export const EVENT_TYPES = [
  'message',
  'step',
  'member',
  'rejected',
  'anomaly',
  'role',
  'advice',
] as const
export type EventType = (typeof EVENT_TYPES)[number]

export type EventFrame = { type: string; at: number } & Record<string, unknown>

/**
 * A payload shown in an event: UTF-8 text when it is printable, base64 otherwise, cut to
 * `cap` bytes (on a character boundary for text).
 */
export function previewData(
  data: Uint8Array,
  cap = EVENT_DATA_CAP_BYTES,
): { data: string; encoding: 'utf8' | 'base64'; truncated: boolean } {
  const truncated = data.length > cap
  const head = data.subarray(0, cap)
  const text = printableText(head, truncated)
  if (text !== undefined) return { data: text, encoding: 'utf8', truncated }
  return { data: Buffer.from(head).toString('base64'), encoding: 'base64', truncated }
}

const decoder = new TextDecoder('utf-8', { fatal: true })
// Control characters other than tab, newline and carriage return make a payload "binary".
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/

function printableText(bytes: Uint8Array, truncated: boolean): string | undefined {
  // A cut may split a character: back off up to 3 bytes to the last boundary.
  for (let back = 0; back <= (truncated ? 3 : 0) && back < bytes.length + 1; back++) {
    try {
      const text = decoder.decode(bytes.subarray(0, bytes.length - back))
      return CONTROL.test(text) ? undefined : text
    } catch {
      // not valid UTF-8 at this cut
    }
  }
  return undefined
}

export function messageFrame(message: MeshMessage): EventFrame {
  const { envelope } = message
  return {
    type: 'message',
    at: message.receivedAt,
    peerId: envelope.senderId,
    from: message.from,
    id: message.id,
    step: envelope.globalStep,
    seq: envelope.seq,
    bytes: envelope.data.length,
    ...previewData(envelope.data),
    ...(message.direct === true ? { direct: true } : {}),
  }
}

export function stepFrame(detail: StepChangeDetail, at = Date.now()): EventFrame {
  return { type: 'step', at, step: detail.step, previous: detail.previous, reason: detail.reason }
}

export function memberFrame(
  peerId: string,
  change: 'connected' | 'disconnected',
  at = Date.now(),
): EventFrame {
  return { type: 'member', at, peerId, change }
}

/** A frame the node did not accept; undefined for accepted ones. */
export function rejectedFrame(detail: FrameVerdictDetail): EventFrame | undefined {
  const { result } = detail
  if (result.verdict === 'accept') return undefined
  return {
    type: 'rejected',
    at: detail.at,
    code: result.code,
    verdict: result.verdict,
    // The peer that signed the gossip message: the one to blame, whatever the frame claims.
    peerId: detail.from,
    senderId: result.envelope?.senderId ?? null,
    step: result.envelope?.globalStep ?? null,
    topic: detail.topic,
    detail: result.detail ?? null,
  }
}

/** Parses `?types=a,b`: undefined for all types, or an error message naming the bad value. */
export function parseTypesFilter(
  raw: string | null,
): { ok: true; types: ReadonlySet<string> | undefined } | { ok: false; message: string } {
  if (raw === null) return { ok: true, types: undefined }
  const types = raw
    .split(',')
    .map((type) => type.trim())
    .filter((type) => type.length > 0)
  if (types.length === 0) return { ok: false, message: 'types: expected a comma-separated list' }
  const unknown = types.filter((type) => !(EVENT_TYPES as readonly string[]).includes(type))
  if (unknown.length > 0)
    return {
      ok: false,
      message: `types: unknown event type ${unknown.map((t) => JSON.stringify(t)).join(', ')} (known: ${EVENT_TYPES.join(', ')})`,
    }
  return { ok: true, types: new Set(types) }
}
