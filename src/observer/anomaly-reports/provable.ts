/**
 * Which verdicts one gossip message proves, anywhere and later (DESIGN §14). A report is
 * believed only when the receiver, re-running the frame verification on the evidence, gets
 * the same code; so only codes that depend on the message alone (and the mesh's key and
 * limits, which every member shares) can be reported:
 *
 * - MALFORMED: the bytes break the layout of PROTOCOL.md §3;
 * - PATTERN_MISMATCH, TAG_MISMATCH: the frame was not sealed with the mesh's key;
 * - UNKNOWN_SENDER: the frame names another sender than the peer that signed the message.
 *
 * Not reportable, because one frame cannot prove them to every member:
 * - OVERSIZE: the limit is each receiver's own setting (`maxFrameBytes`); a node with a
 *   smaller one than its peers would otherwise have honest reporters called liars;
 * - STEP_SKEW: a stale or future step says as much about the receiver's clock as the sender's
 *   (and a late, honest frame is stale by the time anyone re-checks it);
 * - REPLAY: needs the first copy (the receiver's history), not just this one;
 * - FLOOD: a rate, not a property of one message.
 * These stay local anomalies, each node judging for itself.
 */
import type { VerdictCode } from '../../protocol/index.js'

export const PROVABLE_CODES = [
  'MALFORMED',
  'PATTERN_MISMATCH',
  'TAG_MISMATCH',
  'UNKNOWN_SENDER',
] as const
export type ProvableCode = (typeof PROVABLE_CODES)[number]

export function isProvable(code: string): code is ProvableCode {
  return (PROVABLE_CODES as readonly string[]).includes(code)
}

/** The verdicts of re-running the receive checks on a message (the node's pipeline, fresh). */
export type GossipReverifier = (message: {
  topic: string
  from: string
  data: Uint8Array
}) => ReadonlyArray<{ verdict: string; code: VerdictCode }>

/**
 * Whether re-verification confirms `claimed`: some frame of the message is rejected with that
 * very code. Pure.
 */
export function confirms(
  results: ReadonlyArray<{ verdict: string; code: VerdictCode }>,
  claimed: ProvableCode,
): boolean {
  return results.some((r) => r.verdict === 'reject' && r.code === claimed)
}
