/**
 * Terms as fencing tokens, pure: a message issued by a principal carries its term; one from
 * an older term comes from a deposed principal and is refused, as is one claiming the current
 * term from a peer that is not its principal. A newer term than ours means we missed a claim:
 * the message is let through (the caller may treat it as news of that term).
 */

export type FencingResult =
  { ok: true; newer: boolean } | { ok: false; code: 'STALE_TERM' | 'NOT_PRINCIPAL'; detail: string }

export function checkFencing(
  current: { term: number; principal: string | null },
  term: number,
  issuer: string,
): FencingResult {
  if (!Number.isSafeInteger(term) || term < current.term) {
    return {
      ok: false,
      code: 'STALE_TERM',
      detail: `term ${term} is older than the current term ${current.term}`,
    }
  }
  if (term > current.term) return { ok: true, newer: true }
  if (current.principal !== issuer) {
    return {
      ok: false,
      code: 'NOT_PRINCIPAL',
      detail: `${issuer} is not the principal of term ${term} (${current.principal ?? 'none'})`,
    }
  }
  return { ok: true, newer: false }
}
