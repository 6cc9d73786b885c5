/**
 * The principal's stamp, as pure functions: what a relayed request asks for (a validated
 * request, or a rollback restoring per key the value before the original) and the advice it
 * becomes (term, step, a version vector per key that dominates every version known here, the
 * targets resolved now). Persisting and broadcasting it is issuer.ts's part.
 */
import type { Membership } from '../membership/index.js'
import { MAX_TTL_MS, MIN_TTL_MS } from './constants.js'
import { AdviceNotFoundError } from './errors.js'
import type { RelayedRequest } from './relay.js'
import { resolveTargets, type TargetMember } from './targets.js'
import type { Advice, AdviceRequest, VersionVector } from './types.js'
import { adviceValues, validateAdviceRequest } from './validate.js'
import { compareVectors, nextVector, winnerOf } from './versions.js'

/** Time to live of a rollback when the caller gives none (or, relayed, no valid one). */
export const ROLLBACK_TTL_MS = 60_000

/** What a relayed request asks for, resolved against the advice held here. */
export interface StampRequest {
  request: AdviceRequest
  /** Key → value the advice writes. */
  values: Record<string, unknown>
  /** A rollback's values: per key, what the original replaced. */
  restore?: Record<string, unknown>
}

/** What the stamp takes from the principal's state at stamping time. */
export interface StampContext {
  self: string
  term: number
  step: number
  now: number
  /** The merged version vector of every key known here. */
  known: ReadonlyMap<string, VersionVector>
  /** The principal's member table, itself included. */
  members: readonly TargetMember[]
}

/** The request of a rollback of `original`: same type and targets, no payload of its own. */
export function rollbackRequest(original: Advice, ttlMs: number): AdviceRequest {
  return { type: original.type, target: original.target, payload: {}, ttlMs }
}

/**
 * Validates a relayed request (throws InvalidAdviceError), or resolves a rollback against the
 * advice `held` here (throws AdviceNotFoundError when the original is unknown).
 */
export function resolveRelayed(
  relayed: RelayedRequest,
  held: ReadonlyMap<string, Advice>,
): StampRequest {
  if (relayed.rollbackOf === undefined) {
    const request = validateAdviceRequest(relayed.request)
    return { request, values: adviceValues(request.type, request.payload) }
  }
  const original = held.get(relayed.rollbackOf)
  if (original === undefined) throw new AdviceNotFoundError(relayed.rollbackOf)
  // Relayed from another node: its ttl is not validated yet, so it is clamped here.
  const ttl: unknown = relayed.request?.ttlMs
  const ttlMs =
    typeof ttl === 'number' && Number.isSafeInteger(ttl)
      ? Math.min(MAX_TTL_MS, Math.max(MIN_TTL_MS, ttl))
      : ROLLBACK_TTL_MS
  const restore = restoreOf(original, held)
  return { request: rollbackRequest(original, ttlMs), values: restore, restore }
}

/** Per key, the value before `original`: the winner among what its version had seen. */
export function restoreOf(
  original: Advice,
  held: ReadonlyMap<string, Advice>,
): Record<string, unknown> {
  const all = [...held.values()]
  const out: Record<string, unknown> = {}
  for (const key of original.keys) {
    const before = all.filter(
      (a) =>
        a.keys.includes(key) &&
        compareVectors(a.version[key] ?? {}, original.version[key] ?? {}) === 'before',
    )
    const previous = winnerOf(key, before)
    if (previous === undefined) out[key] = null
    else if (previous.rollbackOf !== undefined) out[key] = previous.restore?.[key] ?? null
    else out[key] = adviceValues(previous.type, previous.payload)[key] ?? null
  }
  return out
}

/** The advice `relayed` becomes when stamped now. */
export function stampAdvice(
  relayed: RelayedRequest,
  asked: StampRequest,
  ctx: StampContext,
): Advice {
  const { request } = asked
  const keys = Object.keys(asked.values)
  return {
    id: relayed.id,
    type: request.type,
    target: request.target,
    payload: request.payload,
    expiry: ctx.now + request.ttlMs,
    issuer: ctx.self,
    origin: relayed.origin,
    term: ctx.term,
    step: ctx.step,
    issuedAt: ctx.now,
    keys,
    version: Object.fromEntries(keys.map((k) => [k, nextVector(ctx.known.get(k), ctx.self)])),
    resolved: resolveTargets(request.target, ctx.members),
    ...(relayed.rollbackOf !== undefined
      ? { rollbackOf: relayed.rollbackOf, restore: asked.restore }
      : {}),
  }
}

/** The table targets are resolved against: this node first, then the others it knows. */
export function targetMembers(
  self: TargetMember,
  others: ReturnType<Membership['members']>,
): TargetMember[] {
  const rest = others.map((m) => ({
    peerId: m.id,
    roles: m.roles,
    alive: m.status === 'alive' || m.status === 'suspect',
  }))
  return [self, ...rest.filter((m) => m.peerId !== self.peerId)]
}
