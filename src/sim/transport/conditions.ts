/**
 * Network conditions of a simulated link and the table a simulation edits at run time.
 *
 * A connection has two directions (links); each looks up its conditions by its two ends. An
 * end is known by its peer id and, when its node listens, by its node name (the `<name>` of
 * its first `/memory/<name>` listen address), so a table can be written before peer ids exist.
 */
import { MAX_LOSS } from './constants.js'
import { InvalidConditionsError } from './errors.js'

export interface NetworkConditions {
  /** One-way delay of every segment, ms. */
  latencyMs: number
  /** Extra one-way delay, uniform in [0, jitterMs), drawn per segment, ms. */
  jitterMs: number
  /** Probability (0 … 0.99) that a segment is lost once and retransmitted (see index.ts). */
  loss: number
}

/** No delay, no loss: what a link gets when nothing else is configured. */
export const PERFECT_CONDITIONS: Readonly<NetworkConditions> = Object.freeze({
  latencyMs: 0,
  jitterMs: 0,
  loss: 0,
})

/** One end of a link: its peer id and, if its node listens, its node name. */
export interface SimEndpoint {
  readonly peerId: string
  readonly name?: string
}

/** The key a conditions function is called with: node name if known, else peer id. */
export function endpointKey(endpoint: SimEndpoint): string {
  return endpoint.name ?? endpoint.peerId
}

/**
 * Conditions of the link `from` → `to`; keys as `endpointKey`. Called for every segment sent:
 * keep it cheap. Out-of-range results are clamped (`normalizeConditions`).
 */
export type ConditionsFn = (
  from: string,
  to: string,
  ends: { from: SimEndpoint; to: SimEndpoint },
) => NetworkConditions

/** Throws `InvalidConditionsError` unless every given field is a number in range. */
export function validateConditions(conditions: Partial<NetworkConditions>): void {
  const { latencyMs, jitterMs, loss } = conditions
  for (const [field, value] of [
    ['latencyMs', latencyMs],
    ['jitterMs', jitterMs],
  ] as const) {
    if (value !== undefined && !(Number.isFinite(value) && value >= 0)) {
      throw new InvalidConditionsError(`${field} must be a finite number ≥ 0, got ${value}`)
    }
  }
  if (loss !== undefined && !(Number.isFinite(loss) && loss >= 0 && loss <= MAX_LOSS)) {
    throw new InvalidConditionsError(`loss must be a number in 0 … ${MAX_LOSS}, got ${loss}`)
  }
}

/** Clamps into range (NaN → 0), for conditions computed by a user's function. */
export function normalizeConditions(conditions: NetworkConditions): NetworkConditions {
  const clamp = (value: number, max: number): number =>
    Number.isNaN(value) ? 0 : Math.min(Math.max(value, 0), max)
  return {
    latencyMs: clamp(conditions.latencyMs, Number.MAX_SAFE_INTEGER),
    jitterMs: clamp(conditions.jitterMs, Number.MAX_SAFE_INTEGER),
    loss: clamp(conditions.loss, MAX_LOSS),
  }
}

/** Matches any end in a `ConditionsTable` key. */
export const ANY = '*'

function entryKey(from: string, to: string): string {
  return `${from}\u0000${to}`
}

function endpointKeys(endpoint: SimEndpoint): string[] {
  return endpoint.name == null ? [endpoint.peerId] : [endpoint.peerId, endpoint.name]
}

/**
 * Pure lookup: the first entry found for (from, to) — trying every key of each end, peer id
 * before name — then (from, ANY), then (ANY, to), else the defaults. An entry's missing fields
 * come from the defaults.
 */
export function resolveConditions(
  entries: ReadonlyMap<string, Partial<NetworkConditions>>,
  defaults: NetworkConditions,
  from: SimEndpoint,
  to: SimEndpoint,
): NetworkConditions {
  const fromKeys = endpointKeys(from)
  const toKeys = endpointKeys(to)
  const candidates: string[] = []
  for (const f of fromKeys) for (const t of toKeys) candidates.push(entryKey(f, t))
  for (const f of fromKeys) candidates.push(entryKey(f, ANY))
  for (const t of toKeys) candidates.push(entryKey(ANY, t))
  for (const key of candidates) {
    const entry = entries.get(key)
    if (entry != null) return { ...defaults, ...entry }
  }
  return defaults
}

/**
 * Conditions per direction, editable while connections run: every segment sent after a change
 * uses the new values (segments already in flight keep their delivery time). `version` grows
 * with every change, so links re-read the table only after one.
 */
export class ConditionsTable {
  private readonly entries = new Map<string, Partial<NetworkConditions>>()
  private defaultConditions: NetworkConditions
  private changes = 0

  /** Throws `InvalidConditionsError` for values out of range. */
  constructor(defaults: Partial<NetworkConditions> = {}) {
    validateConditions(defaults)
    this.defaultConditions = { ...PERFECT_CONDITIONS, ...defaults }
  }

  get version(): number {
    return this.changes
  }

  get defaults(): NetworkConditions {
    return { ...this.defaultConditions }
  }

  /** Changes the given fields of the defaults (links with no entry of their own). */
  setDefaults(conditions: Partial<NetworkConditions>): void {
    validateConditions(conditions)
    this.defaultConditions = { ...this.defaultConditions, ...conditions }
    this.changes++
  }

  /**
   * Sets the conditions of `from` → `to` (peer ids or node names, `ANY` for every end),
   * replacing that entry; fields not given come from the defaults.
   */
  set(from: string, to: string, conditions: Partial<NetworkConditions>): void {
    validateConditions(conditions)
    this.entries.set(entryKey(from, to), { ...conditions })
    this.changes++
  }

  /** `set` in both directions between `a` and `b`. */
  setBetween(a: string, b: string, conditions: Partial<NetworkConditions>): void {
    validateConditions(conditions)
    this.set(a, b, conditions)
    this.set(b, a, conditions)
  }

  delete(from: string, to: string): boolean {
    const deleted = this.entries.delete(entryKey(from, to))
    if (deleted) this.changes++
    return deleted
  }

  deleteBetween(a: string, b: string): void {
    this.delete(a, b)
    this.delete(b, a)
  }

  /** Removes every entry; the defaults stay. */
  clear(): void {
    this.entries.clear()
    this.changes++
  }

  /** Conditions of `from` → `to`, each end given by one key. */
  get(from: string, to: string): NetworkConditions {
    return this.lookup({ peerId: from }, { peerId: to })
  }

  /** Conditions of the link between two ends (see `resolveConditions`). */
  lookup(from: SimEndpoint, to: SimEndpoint): NetworkConditions {
    return resolveConditions(this.entries, this.defaultConditions, from, to)
  }
}
