/**
 * From the log to memory and back: `restore` rebuilds the state, the baselines and this
 * node's candidates from the records (and lists the advice it never answered: a crash
 * between storing and evaluating); `compact` rewrites the log with the live records.
 */
import type { AdviceApplier } from './applier.js'
import { COMPACT_MIN_LINES, COMPACT_RATIO, RETAIN_AFTER_EXPIRY_MS } from './constants.js'
import { isAdvice, isAdviceResult } from './record-schema.js'
import type { AdviceState } from './state.js'
import type { AdviceRecord, AdviceStore } from './store.js'
import { isTarget } from './targets.js'
import type { Advice } from './types.js'

/** Loads the log; returns the advice targeted at `self` that it never answered, oldest first. */
export async function restore(
  store: AdviceStore,
  state: AdviceState,
  applier: AdviceApplier,
  self: string,
): Promise<Advice[]> {
  for (const record of await store.load()) {
    if (record.t === 'advice' && isAdvice(record.advice)) state.addAdvice(record.advice)
    else if (record.t === 'result' && isAdviceResult(record.result)) state.addResult(record.result)
    else if (record.t === 'baseline') applier.baseline.set(record.key, record.value)
  }
  const unanswered: Advice[] = []
  for (const advice of state.advice.values()) {
    if (!isTarget(advice, self)) continue
    const own = state.result(advice.id, self)
    if (own === undefined) unanswered.push(advice)
    else if (own.status === 'accepted' || own.reason?.startsWith('superseded') === true)
      applier.restoreCandidate(advice)
  }
  await applier.reapply()
  return unanswered.sort((a, b) => a.issuedAt - b.issuedAt)
}

/** Compacts when the log holds COMPACT_RATIO times more lines than live records. */
export async function compactIfDue(
  store: AdviceStore,
  state: AdviceState,
  applier: AdviceApplier,
  now: number,
): Promise<void> {
  const results = [...state.results.values()].reduce((n, m) => n + m.size, 0)
  const live = state.advice.size + results + applier.baseline.size
  if (store.lines < COMPACT_MIN_LINES || store.lines < live * COMPACT_RATIO) return
  // Long expired advice goes, unless it still holds one of this node's keys.
  state.prune(now, RETAIN_AFTER_EXPIRY_MS, (id) =>
    (state.advice.get(id)?.keys ?? []).some((k) => applier.winner(k) === id),
  )
  const records: AdviceRecord[] = [
    ...[...applier.baseline].map(([key, value]) => ({ t: 'baseline' as const, key, value })),
    ...[...state.advice.values()].map((advice) => ({ t: 'advice' as const, advice })),
    ...[...state.results.values()].flatMap((m) =>
      [...m.values()].map((result) => ({ t: 'result' as const, result })),
    ),
  ]
  await store.compact(records)
}
