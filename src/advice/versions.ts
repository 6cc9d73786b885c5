/**
 * Version vectors per key, pure. The principal stamps each key of an advice with the merge of
 * every vector it knows for the key plus one in its own entry, so a later advice dominates the
 * ones its issuer had seen. Advice stamped apart (two principals on the two sides of a
 * partition) is concurrent; the winner is then the higher term, then the higher step, then the
 * smaller issuer id (then the smaller advice id). The winner of a key is taken over the whole
 * set of advice for it (the undominated ones, then the tie-break), so every node that holds the
 * same set picks the same winner, whatever order the advice arrived in.
 */
import type { Advice, VersionVector } from './types.js'

export type Order = 'before' | 'after' | 'equal' | 'concurrent'

/** How `a` relates to `b`. */
export function compareVectors(a: VersionVector, b: VersionVector): Order {
  let less = false
  let more = false
  for (const id of new Set([...Object.keys(a), ...Object.keys(b)])) {
    const x = a[id] ?? 0
    const y = b[id] ?? 0
    if (x < y) less = true
    else if (x > y) more = true
  }
  if (less && more) return 'concurrent'
  if (less) return 'before'
  if (more) return 'after'
  return 'equal'
}

export function mergeVectors(a: VersionVector, b: VersionVector): VersionVector {
  const out: VersionVector = { ...a }
  for (const [id, n] of Object.entries(b)) out[id] = Math.max(out[id] ?? 0, n)
  return out
}

/** Next version of a key at `issuer`: everything known, plus one for the issuer. */
export function nextVector(known: VersionVector | undefined, issuer: string): VersionVector {
  const out: VersionVector = { ...known }
  out[issuer] = (out[issuer] ?? 0) + 1
  return out
}

type Candidate = Pick<Advice, 'id' | 'term' | 'step' | 'issuer' | 'version'>

/** Tie-break of concurrent advice: > 0 when `a` wins. */
export function tieBreak(a: Candidate, b: Candidate): number {
  if (a.term !== b.term) return a.term - b.term
  if (a.step !== b.step) return a.step - b.step
  if (a.issuer !== b.issuer) return a.issuer < b.issuer ? 1 : -1
  return a.id < b.id ? 1 : a.id > b.id ? -1 : 0
}

/** The winner for `key` among `candidates` (each writes `key`), or undefined if none. */
export function winnerOf<T extends Candidate>(
  key: string,
  candidates: readonly T[],
): T | undefined {
  const undominated = candidates.filter(
    (a) =>
      !candidates.some(
        (b) => b !== a && compareVectors(b.version[key] ?? {}, a.version[key] ?? {}) === 'after',
      ),
  )
  let best: T | undefined
  for (const c of undominated) if (best === undefined || tieBreak(c, best) > 0) best = c
  return best
}
