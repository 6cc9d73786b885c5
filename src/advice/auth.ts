/**
 * Relay and sync messages are authenticated with the network key, as the step sync is: a JSON
 * body, the sender's step, and HMAC-SHA256(stepKey(step), body). A peer without the key gets
 * nothing in and nothing out; the step must be near ours.
 */
import { createHmac, timingSafeEqual } from 'node:crypto'
import { decodeJsonPayload } from '../protocol/json-payload.js'
import { AUTH_STEP_WINDOW, MAX_SYNC_BYTES } from './constants.js'

export interface StepKeys {
  stepKey(step: number): Uint8Array
}

const MAC_BYTES = 32
const HEADER = 8 + MAC_BYTES

export function sealMessage(keys: StepKeys, step: number, value: unknown): Uint8Array {
  const body = Buffer.from(JSON.stringify(value), 'utf8')
  const out = Buffer.alloc(HEADER + body.length)
  out.writeBigUInt64BE(BigInt(step), 0)
  createHmac('sha256', keys.stepKey(step)).update(body).digest().copy(out, 8)
  body.copy(out, HEADER)
  return out
}

/** The body, or undefined when the MAC, the step or the JSON is wrong. */
export function openMessage(keys: StepKeys, localStep: number, bytes: Uint8Array): unknown {
  if (bytes.length < HEADER || bytes.length > MAX_SYNC_BYTES) return undefined
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length)
  const step = Number(buf.readBigUInt64BE(0))
  if (!Number.isSafeInteger(step) || Math.abs(step - localStep) > AUTH_STEP_WINDOW) return undefined
  const body = buf.subarray(HEADER)
  const mac = createHmac('sha256', keys.stepKey(step)).update(body).digest()
  if (!timingSafeEqual(mac, buf.subarray(8, HEADER))) return undefined
  const parsed = decodeJsonPayload(body, MAX_SYNC_BYTES)
  return parsed.ok ? parsed.value : undefined
}
