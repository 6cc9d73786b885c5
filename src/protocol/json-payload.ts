/**
 * JSON payloads inside envelopes (heartbeats, role claims, advice). Parsed with a size limit
 * and with `__proto__` / `constructor` / `prototype` keys dropped, so that a payload merged
 * into an object later cannot reach its prototype.
 */
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype'])
const decoder = new TextDecoder('utf-8', { fatal: true })
const encoder = new TextEncoder()

export type JsonParseResult = { ok: true; value: unknown } | { ok: false; detail: string }

export function encodeJsonPayload(value: unknown): Uint8Array {
  return encoder.encode(JSON.stringify(value))
}

export function decodeJsonPayload(bytes: Uint8Array, maxBytes: number): JsonParseResult {
  if (bytes.length > maxBytes)
    return { ok: false, detail: `payload of ${bytes.length} bytes exceeds ${maxBytes}` }
  let text: string
  try {
    text = decoder.decode(bytes)
  } catch {
    return { ok: false, detail: 'payload is not valid UTF-8' }
  }
  try {
    return {
      ok: true,
      value: JSON.parse(text, (key, value: unknown) =>
        FORBIDDEN_KEYS.has(key) ? undefined : value,
      ),
    }
  } catch (err) {
    return { ok: false, detail: `payload is not JSON: ${(err as Error).message}` }
  }
}
