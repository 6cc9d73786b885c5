import { createHmac } from 'node:crypto'
import type { PatternGenerator } from '../pattern/index.js'
import { encodeBody } from './codec.js'
import { PROTOCOL_VERSION, TAG_BYTES } from './constants.js'
import type { EnvelopeFields } from './envelope.js'

/**
 * Stamps an envelope with the pattern value of its step and returns the frame on the wire:
 * body ‖ tag, in one allocation.
 */
export function sealEnvelope(generator: PatternGenerator, fields: EnvelopeFields): Buffer {
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
  const frame = encodeBody(envelope, TAG_BYTES)
  const bodyEnd = frame.length - TAG_BYTES
  const digest = createHmac('sha256', step.tagKey).update(frame.subarray(0, bodyEnd)).digest()
  digest.copy(frame, bodyEnd, 0, TAG_BYTES)
  return frame
}
