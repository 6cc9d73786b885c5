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
  const frame = encodeBody({ ...fields, v: PROTOCOL_VERSION, patternValue: step.value }, TAG_BYTES)
  const bodyEnd = frame.length - TAG_BYTES
  const digest = createHmac('sha256', step.tagKey).update(frame.subarray(0, bodyEnd)).digest()
  digest.copy(frame, bodyEnd, 0, TAG_BYTES)
  return frame
}
