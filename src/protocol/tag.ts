import { createHmac, timingSafeEqual, type KeyObject } from 'node:crypto'
import { TAG_BYTES } from './constants.js'

/** Tag: the first 16 bytes of HMAC-SHA256(stepKey, bodyBytes). */
export function computeTag(stepKey: KeyObject | Uint8Array, body: Uint8Array): Buffer {
  return createHmac('sha256', stepKey).update(body).digest().subarray(0, TAG_BYTES)
}

/** Constant-time comparison of a received tag against the expected one. */
export function tagMatches(
  stepKey: KeyObject | Uint8Array,
  body: Uint8Array,
  tag: Uint8Array,
): boolean {
  if (tag.length !== TAG_BYTES) return false
  return timingSafeEqual(computeTag(stepKey, body), tag)
}
