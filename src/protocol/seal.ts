import { createHmac } from 'node:crypto'
import type { PatternKeys } from '../pattern/index.js'
import { bodyLength, encodeBodyInto } from './codec.js'
import { PROTOCOL_VERSION, TAG_BYTES } from './constants.js'
import type { EnvelopeFields } from './envelope.js'

/** Bytes of the frame (body ‖ tag) that sealing `fields` produces. */
export function sealedLength(fields: Pick<EnvelopeFields, 'senderId' | 'data'>): number {
  return bodyLength(fields.senderId.length, fields.data.length) + TAG_BYTES
}

/**
 * Stamps an envelope with the pattern value of its step and returns the frame on the wire:
 * body ‖ tag, in one allocation.
 */
export function sealEnvelope(generator: PatternKeys, fields: EnvelopeFields): Buffer {
  const frame = Buffer.allocUnsafe(sealedLength(fields))
  sealEnvelopeInto(generator, fields, frame, 0)
  return frame
}

/**
 * Seals into `target` at `offset` (a batch buffer: no per-frame allocation or copy). Returns
 * the offset after the frame; the tag is its last TAG_BYTES.
 */
export function sealEnvelopeInto(
  generator: PatternKeys,
  fields: EnvelopeFields,
  target: Buffer,
  offset: number,
): number {
  const step = generator.entry(fields.globalStep)
  // An explicit literal, not a spread: Node 20 spends ~2 µs on `{ ...fields, v }` here.
  const envelope = {
    v: PROTOCOL_VERSION,
    kind: fields.kind,
    senderId: fields.senderId,
    globalStep: fields.globalStep,
    seq: fields.seq,
    patternValue: step.value,
    timestamp: fields.timestamp,
    data: fields.data,
  }
  const bodyEnd = encodeBodyInto(envelope, target, offset)
  const digest = createHmac('sha256', step.tagKey).update(target.subarray(offset, bodyEnd)).digest()
  digest.copy(target, bodyEnd, 0, TAG_BYTES)
  return bodyEnd + TAG_BYTES
}
