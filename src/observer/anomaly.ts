/**
 * Anomalies (DESIGN §7): what an observer reports, and the pure rules that turn a frame's
 * verdict into one. Only `reject` verdicts are anomalies: an `ignore` (a late or near STEP_SKEW at a
 * step boundary, a copy of our own frame, a frame on a foreign topic) is benign noise that
 * honest peers produce, and a REPLAY or forgery is blamed on the peer that *signed* the gossip
 * message carrying it (a replayer signs the frames it republishes), never on the frame's
 * claimed sender.
 */
import type { VerdictCode } from '../protocol/index.js'

/** The anomaly kinds of DESIGN §7; `?kind=` on `/v1/anomalies` accepts these. */
export const ANOMALY_KINDS = [
  'PATTERN_MISMATCH',
  'TAG_MISMATCH',
  'REPLAY',
  'STEP_SKEW',
  'FLOOD',
  'MALFORMED',
  'OVERSIZE',
  'UNKNOWN_SENDER',
  'SPLIT_BRAIN',
  'STEP_DIVERGENCE',
  'MEMBER_FLAPPING',
  // A member published an anomaly report whose evidence does not re-verify (DESIGN §14).
  'FALSE_REPORT',
] as const
export type AnomalyKind = (typeof ANOMALY_KINDS)[number]

export type AnomalySeverity = 'info' | 'warning' | 'critical'

/** `local`: this node saw it first-hand; `reported`: only peers did, and their evidence held. */
export type AnomalySource = 'local' | 'reported'

/** One anomaly (DESIGN §7): what an observer records. */
export interface Anomaly {
  id: string
  kind: AnomalyKind
  severity: AnomalySeverity
  /** The peer blamed (the gossip message's signer for frame anomalies), null if none. */
  peerId: string | null
  step: number | null
  /** ms since the epoch. */
  at: number
  detail: string
  /** Occurrences folded into this record (same peer and kind within the coalescing window). */
  count?: number
  /**
   * The peers that saw it first-hand: this node (when local) and every reporter whose
   * evidence re-verified here. Bounded (MAX_WITNESSES); grows while the record is open. The
   * observer always sets both; they are optional for records made elsewhere (API fixtures).
   */
  witnesses?: string[]
  source?: AnomalySource
}

/**
 * Severity of each kind. critical: proof of a wrong key or of tampering (only an attacker or a
 * broken implementation does it); warning: misbehaviour an honest but faulty node may show;
 * info: mesh-level conditions nobody in particular is to blame for.
 */
export const SEVERITY_OF: Readonly<Record<AnomalyKind, AnomalySeverity>> = {
  PATTERN_MISMATCH: 'critical',
  TAG_MISMATCH: 'critical',
  REPLAY: 'critical',
  UNKNOWN_SENDER: 'critical',
  STEP_SKEW: 'warning',
  STEP_DIVERGENCE: 'warning',
  FLOOD: 'warning',
  MALFORMED: 'warning',
  OVERSIZE: 'warning',
  SPLIT_BRAIN: 'warning',
  MEMBER_FLAPPING: 'info',
  // Lying about a peer is an attack on it: only a forger or a broken implementation does it.
  FALSE_REPORT: 'critical',
}

export function isAnomalyKind(value: string): value is AnomalyKind {
  return (ANOMALY_KINDS as readonly string[]).includes(value)
}

/**
 * The anomaly kind of one frame verdict, or undefined when it is not an anomaly. Pure.
 * Rejections only: every rejected code is a kind of the same name.
 */
export function anomalyKindOfVerdict(verdict: string, code: VerdictCode): AnomalyKind | undefined {
  if (verdict !== 'reject') return undefined
  return isAnomalyKind(code) ? code : undefined
}
