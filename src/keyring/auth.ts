/**
 * Keyring exchange messages, authenticated with a step key of one installed key, named in
 * the header: `keyId (4 bytes) ‖ u64be(step) ‖ HMAC-SHA256(stepKey, body) ‖ body`. A receiver
 * opens it with that key if it has it, and answers under the same key, so a member that
 * returns with only the old key still gets the new ones. The key id is public (the first 4
 * bytes of SHA-256 of the key), the MAC proves the key. Streams are encrypted by noise.
 */
import { createHmac, timingSafeEqual } from 'node:crypto'
import { decodeJsonPayload } from '../protocol/json-payload.js'
import { KEYRING_AUTH_STEP_WINDOW, MAX_KEYRING_MESSAGE_BYTES } from './constants.js'

export interface KeyringKeys {
  readonly primaryId: string
  has(id: string): boolean
  stepKeyOf(id: string, step: number): Buffer | undefined
}

const MAC_BYTES = 32
const HEADER = 4 + 8 + MAC_BYTES

export function sealKeyringMessage(
  keys: KeyringKeys,
  keyId: string,
  step: number,
  value: unknown,
): Uint8Array {
  const stepKey = keys.stepKeyOf(keyId, step)
  if (stepKey === undefined) throw new Error(`no installed key has id ${keyId}`)
  const body = Buffer.from(JSON.stringify(value), 'utf8')
  const out = Buffer.alloc(HEADER + body.length)
  out.write(keyId, 0, 'hex')
  out.writeBigUInt64BE(BigInt(step), 4)
  createHmac('sha256', stepKey).update(body).digest().copy(out, 12)
  body.copy(out, HEADER)
  return out
}

/** The key id and body, or undefined when the key is unknown here or the MAC, step or JSON is wrong. */
export function openKeyringMessage(
  keys: KeyringKeys,
  localStep: number,
  bytes: Uint8Array,
): { keyId: string; step: number; value: unknown } | undefined {
  if (bytes.length < HEADER || bytes.length > MAX_KEYRING_MESSAGE_BYTES) return undefined
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length)
  const keyId = buf.subarray(0, 4).toString('hex')
  const step = Number(buf.readBigUInt64BE(4))
  if (!Number.isSafeInteger(step) || Math.abs(step - localStep) > KEYRING_AUTH_STEP_WINDOW)
    return undefined
  const stepKey = keys.stepKeyOf(keyId, step)
  if (stepKey === undefined) return undefined
  const body = buf.subarray(HEADER)
  const mac = createHmac('sha256', stepKey).update(body).digest()
  if (!timingSafeEqual(mac, buf.subarray(12, HEADER))) return undefined
  const parsed = decodeJsonPayload(body, MAX_KEYRING_MESSAGE_BYTES)
  return parsed.ok ? { keyId, step, value: parsed.value } : undefined
}
