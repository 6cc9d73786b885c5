/**
 * Folding of anomalies (pure): one record per (kind, peer) per window. An occurrence inside the
 * open record's window adds to its count and witnesses; one after it opens a new record. The
 * time is passed in, so the rule is tested with a table.
 */

/** Witnesses kept per record: enough to show a mesh agrees, bounded against a crowd. */
export const MAX_WITNESSES = 16

export interface OpenRecord {
  /** ms the record was opened. */
  at: number
  count?: number
  witnesses: string[]
}

export type FoldDecision = 'open' | 'fold'

/** Whether an occurrence at `at` folds into `open` or opens a new record. */
export function foldDecision(
  open: OpenRecord | undefined,
  at: number,
  windowMs: number,
): FoldDecision {
  return open !== undefined && at - open.at < windowMs && at >= open.at ? 'fold' : 'open'
}

/** Adds `count` occurrences seen by `witness` to an open record, in place. True if a new witness. */
export function foldInto(open: OpenRecord, count: number, witness: string | undefined): boolean {
  open.count = (open.count ?? 1) + count
  if (witness === undefined || open.witnesses.includes(witness)) return false
  if (open.witnesses.length >= MAX_WITNESSES) return false
  open.witnesses.push(witness)
  return true
}
