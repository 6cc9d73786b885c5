/**
 * Relay and sync messages are authenticated with the network key, as the step sync is: a JSON
 * body, the sender's step, and HMAC-SHA256(stepKey(step), body). A peer without the key gets
 * nothing in and nothing out; the step must be near ours.
 *
 * With several keys installed (a rotation, DESIGN §16) a message opens under any of them: a
 * member that switched to the new key before the others, or not yet, still relays and syncs.
 * There is no key id in the header: the receiver tries its keys, primary first (one HMAC in the
 * common case, at most MAX_KEYS for a message no key opens), and answers under the key that
 * opened the request, so a member back with only the old key can read the answer.
 */
import { createHmac, timingSafeEqual } from 'node:crypto'
import { decodeJsonPayload } from '../protocol/json-payload.js'
import { AUTH_STEP_WINDOW, MAX_SYNC_BYTES } from './constants.js'

/** The node's installed keys (PatternKeySet satisfies it). */
export interface StepKeys {
  /** The key senders seal with. */
  readonly primaryId: string
  /** Installed keys, primary first. */
  list(): ReadonlyArray<{ id: string }>
  /** The step key of `step` under key `id`; undefined when it is not installed (any more). */
  stepKeyOf(id: string, step: number): Uint8Array | undefined
}

export interface OpenedMessage {
  value: unknown
  /** The installed key that opened it: answer under it. */
  keyId: string
}

const MAC_BYTES = 32
const HEADER = 8 + MAC_BYTES

/** Seals under `keyId` (the key a request came with) while installed, else the primary. */
export function sealMessage(
  keys: StepKeys,
  step: number,
  value: unknown,
  keyId?: string,
): Uint8Array {
  const stepKey =
    (keyId !== undefined ? keys.stepKeyOf(keyId, step) : undefined) ??
    keys.stepKeyOf(keys.primaryId, step)!
  const body = Buffer.from(JSON.stringify(value), 'utf8')
  const out = Buffer.alloc(HEADER + body.length)
  out.writeBigUInt64BE(BigInt(step), 0)
  createHmac('sha256', stepKey).update(body).digest().copy(out, 8)
  body.copy(out, HEADER)
  return out
}

/** The body and the key that opened it, or undefined when no key's MAC, the step or the JSON is right. */
export function openMessage(
  keys: StepKeys,
  localStep: number,
  bytes: Uint8Array,
): OpenedMessage | undefined {
  if (bytes.length < HEADER || bytes.length > MAX_SYNC_BYTES) return undefined
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length)
  const step = Number(buf.readBigUInt64BE(0))
  if (!Number.isSafeInteger(step) || Math.abs(step - localStep) > AUTH_STEP_WINDOW) return undefined
  const body = buf.subarray(HEADER)
  const tag = buf.subarray(8, HEADER)
  const keyId = keys.list().find(({ id }) => {
    const stepKey = keys.stepKeyOf(id, step)
    return (
      stepKey !== undefined &&
      timingSafeEqual(createHmac('sha256', stepKey).update(body).digest(), tag)
    )
  })?.id
  if (keyId === undefined) return undefined
  const parsed = decodeJsonPayload(body, MAX_SYNC_BYTES)
  return parsed.ok ? { value: parsed.value, keyId } : undefined
}
