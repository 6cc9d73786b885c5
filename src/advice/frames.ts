/**
 * What peers send, parsed and checked, pure: `advice` / `advice-status` control frames become
 * one verdict each, and items pulled by anti-entropy are sorted into advice and results.
 * inbound.ts counts and routes the verdicts.
 */
import { decodeJsonPayload } from '../protocol/json-payload.js'
import { MAX_PAYLOAD_BYTES } from './constants.js'
import { isAdvice, isAdviceResult } from './record-schema.js'
import type { RelayedRequest } from './relay.js'
import type { SyncItem } from './sync.js'
import type { Advice, AdviceResult } from './types.js'

export type AdviceFrame =
  /** A request relayed over gossip by its origin, for the principal to stamp. */
  | { kind: 'relay'; relayed: RelayedRequest }
  | { kind: 'advice'; advice: Advice }
  | { kind: 'result'; result: AdviceResult }
  /** Malformed, or not sent by the node it names (issuer, target): counted as invalid. */
  | { kind: 'invalid' }
  /** A relay frame passed on by a node other than its origin: dropped without counting. */
  | { kind: 'ignored' }

/** Parses a control frame of kind `advice` or `advice-status` sent by `senderId`. */
export function parseAdviceFrame(
  kind: 'advice' | 'advice-status',
  senderId: string,
  data: Uint8Array,
): AdviceFrame {
  // Four times the payload limit: the JSON of a whole advice around its payload.
  const parsed = decodeJsonPayload(data, MAX_PAYLOAD_BYTES * 4)
  if (!parsed.ok) return { kind: 'invalid' }
  const value = parsed.value
  if (kind === 'advice' && isRelayFrame(value))
    return value.relay.origin === senderId
      ? { kind: 'relay', relayed: value.relay }
      : { kind: 'ignored' }
  if (kind === 'advice')
    return isAdvice(value) && value.issuer === senderId
      ? { kind: 'advice', advice: value }
      : { kind: 'invalid' }
  return isAdviceResult(value) && value.target === senderId
    ? { kind: 'result', result: value }
    : { kind: 'invalid' }
}

/** A `relay` control frame: `{ relay: { id, origin, request, rollbackOf? } }`. */
export function isRelayFrame(value: unknown): value is { relay: RelayedRequest } {
  const relay = (value as { relay?: Partial<RelayedRequest> } | null)?.relay
  return (
    typeof relay === 'object' &&
    relay !== null &&
    typeof relay.id === 'string' &&
    relay.id.length <= 128 &&
    typeof relay.origin === 'string' &&
    typeof relay.request === 'object' &&
    relay.request !== null &&
    (relay.rollbackOf === undefined || typeof relay.rollbackOf === 'string')
  )
}

/**
 * Pulled items: the valid advice oldest first (so versions are learnt in the order they were
 * stamped), the valid results, and how many were neither.
 */
export function splitSyncItems(items: readonly SyncItem[]): {
  advice: Advice[]
  results: AdviceResult[]
  invalid: number
} {
  const advice = items
    .flatMap((item) => ('advice' in item && isAdvice(item.advice) ? [item.advice] : []))
    .sort((a, b) => a.issuedAt - b.issuedAt)
  const results = items.flatMap((item) =>
    'result' in item && isAdviceResult(item.result) ? [item.result] : [],
  )
  return { advice, results, invalid: items.length - advice.length - results.length }
}
