/**
 * What peers send, parsed and checked, pure: `advice` / `advice-status` control frames become
 * one verdict each, and items pulled by anti-entropy are sorted into advice and results.
 * inbound.ts counts and routes the verdicts.
 */
import type { ErrorObject } from 'ajv'
import { decodeJsonPayload } from '../protocol/json-payload.js'
import { MAX_PAYLOAD_BYTES } from './constants.js'
import { isAdvice, isAdviceResult } from './record-schema.js'
import type { RelayedRequest } from './relay.js'
import type { Advice, AdviceResult } from './types.js'

export type AdviceFrame =
  /** A request relayed over gossip by its origin, for the principal to stamp. */
  | { kind: 'relay'; relayed: RelayedRequest }
  | { kind: 'advice'; advice: Advice }
  | { kind: 'result'; result: AdviceResult }
  /** Malformed, or not sent by the node it names (issuer, target): counted as invalid. */
  | { kind: 'invalid'; detail: string }
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
  if (!parsed.ok) return invalid(parsed.detail)
  const value = parsed.value
  if (kind === 'advice' && isRelayFrame(value))
    return value.relay.origin === senderId
      ? { kind: 'relay', relayed: value.relay }
      : { kind: 'ignored' }
  if (kind === 'advice' && hasKey(value, 'relay'))
    return invalid('relay frame without a valid id, origin, request or rollbackOf')
  if (kind === 'advice') {
    if (!isAdvice(value)) return invalid(`advice ${schemaError(isAdvice.errors)}`)
    return value.issuer === senderId
      ? { kind: 'advice', advice: value }
      : invalid(`advice ${value.id} issued by ${value.issuer}, sent by ${senderId}`)
  }
  if (!isAdviceResult(value)) return invalid(`advice result ${schemaError(isAdviceResult.errors)}`)
  return value.target === senderId
    ? { kind: 'result', result: value }
    : invalid(`result of ${value.target} for ${value.adviceId}, sent by ${senderId}`)
}

function invalid(detail: string): AdviceFrame {
  return { kind: 'invalid', detail }
}

function hasKey(value: unknown, key: string): boolean {
  return typeof value === 'object' && value !== null && key in value
}

/** The first schema error, as "<field> <message>": what a log line needs to name the fault. */
function schemaError(errors: readonly ErrorObject[] | null | undefined): string {
  const error = errors?.[0]
  if (error === undefined) return 'is invalid'
  const field = error.instancePath === '' ? '' : `${error.instancePath.slice(1)} `
  const extra =
    typeof error.params['additionalProperty'] === 'string'
      ? ` (${error.params['additionalProperty']})`
      : ''
  return `${field}${error.message ?? 'is invalid'}${extra}`
}

/** The id and origin bounds of a stamped advice (record-schema.ts): a relay must fit them. */
function isAdviceId(value: unknown): value is string {
  return typeof value === 'string' && value.length >= 1 && value.length <= 128
}

/**
 * A `relay` control frame: `{ relay: { id, origin, request, rollbackOf? } }`, with an id and
 * origin the stamped advice may carry (else every peer would refuse what the principal stamps).
 */
export function isRelayFrame(value: unknown): value is { relay: RelayedRequest } {
  const relay = (value as { relay?: Partial<RelayedRequest> } | null)?.relay
  return (
    typeof relay === 'object' &&
    relay !== null &&
    isAdviceId(relay.id) &&
    isAdviceId(relay.origin) &&
    typeof relay.request === 'object' &&
    relay.request !== null &&
    (relay.rollbackOf === undefined || typeof relay.rollbackOf === 'string')
  )
}

/**
 * Pulled items (straight from a peer: anything may be there): the valid advice oldest first
 * (so versions are learnt in the order they were stamped), the valid results, and how many
 * items were neither. An item carrying both counts as the advice.
 */
export function splitSyncItems(items: readonly unknown[]): {
  advice: Advice[]
  results: AdviceResult[]
  invalid: number
} {
  const advice: Advice[] = []
  const results: AdviceResult[] = []
  let invalid = 0
  for (const item of items) {
    const { advice: a, result: r } = (
      typeof item === 'object' && item !== null ? item : {}
    ) as Partial<Record<'advice' | 'result', unknown>>
    if (isAdvice(a)) advice.push(a)
    else if (isAdviceResult(r)) results.push(r)
    else invalid++
  }
  advice.sort((a, b) => a.issuedAt - b.issuedAt)
  return { advice, results, invalid }
}
