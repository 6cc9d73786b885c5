/** Gossipsub-style verdicts: accept delivers and forwards; reject also lowers the sender's score. */
export type Verdict = 'accept' | 'ignore' | 'reject'

/** Why a frame got its verdict. A fixed list: the observer and metrics key on these. */
export const VERDICT_CODES = [
  'ACCEPTED',
  'MALFORMED',
  'OVERSIZE',
  'PATTERN_MISMATCH',
  'TAG_MISMATCH',
  'STEP_SKEW',
  'REPLAY',
  'UNKNOWN_SENDER',
  'FLOOD',
  'SELF',
] as const
export type VerdictCode = (typeof VERDICT_CODES)[number]

/**
 * The one place where a code becomes a verdict. Everything detected as bad is rejected, so
 * gossipsub's score prunes the peer. A copy of our own message is ignored (not its fault), and
 * verifyFrame softens a STEP_SKEW behind the window (late) or at most 2 windows + 1 ahead, and
 * a REPLAY below the replay window (not provably seen), to ignore (PROTOCOL.md §4).
 */
export const VERDICT_OF: Readonly<Record<VerdictCode, Verdict>> = {
  ACCEPTED: 'accept',
  MALFORMED: 'reject',
  OVERSIZE: 'reject',
  PATTERN_MISMATCH: 'reject',
  TAG_MISMATCH: 'reject',
  STEP_SKEW: 'reject',
  REPLAY: 'reject',
  UNKNOWN_SENDER: 'reject',
  FLOOD: 'reject',
  SELF: 'ignore',
}
