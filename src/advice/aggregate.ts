/**
 * Aggregate status of an advice, pure. Expected targets are the resolved ones plus anyone who
 * answered. A target without a result is pending until expiry, then rejected (`expired`).
 * The advice is accepted when every expected target accepted, rejected once all answered (or
 * expired) and one rejected, pending otherwise.
 */
import type { Advice, AdviceResult, AdviceView } from './types.js'

export function viewOf(
  advice: Advice,
  results: ReadonlyMap<string, AdviceResult> | undefined,
  now: number,
): AdviceView {
  const targets = new Set([...advice.resolved, ...(results?.keys() ?? [])])
  const expired = now > advice.expiry
  const rows: AdviceView['results'] = []
  const counts = { accepted: 0, rejected: 0, pending: 0 }
  for (const target of [...targets].sort()) {
    const result = results?.get(target)
    if (result !== undefined) {
      rows.push({
        target,
        status: result.status,
        ...(result.reason !== undefined ? { reason: result.reason } : {}),
        at: result.at,
      })
      counts[result.status]++
    } else if (expired) {
      rows.push({ target, status: 'rejected', reason: 'expired' })
      counts.rejected++
    } else {
      rows.push({ target, status: 'pending' })
      counts.pending++
    }
  }
  const status =
    counts.pending > 0
      ? 'pending'
      : counts.rejected > 0
        ? 'rejected'
        : targets.size > 0
          ? 'accepted'
          : expired
            ? 'rejected'
            : 'pending'
  return { ...advice, status, results: rows, counts }
}
