/** The advice model (DESIGN §6): what travels, what is stored, what the API shows. */

export const ADVICE_TYPES = ['UPDATE', 'CONFIG', 'ROLE'] as const
export type AdviceType = (typeof ADVICE_TYPES)[number]

export type AdviceStatus = 'pending' | 'accepted' | 'rejected'

/** Per key: issuer peer id → counter. A newer version dominates; others are concurrent. */
export type VersionVector = Record<string, number>

/** What a client asks for (API, CLI, library). */
export interface AdviceRequest {
  type: AdviceType
  /** Peer ids, `role:<name>` or `*`. */
  target: string[]
  payload: Record<string, unknown>
  ttlMs: number
}

/** An advice as the principal stamped it: immutable once stamped, the same on every node. */
export interface Advice {
  id: string
  type: AdviceType
  target: string[]
  payload: Record<string, unknown>
  /** ms since the epoch: never applied after it. */
  expiry: number
  /** The principal that stamped it. */
  issuer: string
  /** The node that took the request. */
  origin: string
  /** The issuer's term (fencing token) and step when it stamped. */
  term: number
  step: number
  issuedAt: number
  /** The keys it writes (`config:<key>`, `role:weight`, `role:eligible`, `update:<key>`). */
  keys: string[]
  /** One version vector per key. */
  version: Record<string, VersionVector>
  /** Peer ids the selectors named at stamping time (role selectors resolved by the issuer). */
  resolved: string[]
  /** A rollback: the advice it undoes, and per key the value restored (null: the node's own). */
  rollbackOf?: string
  restore?: Record<string, unknown>
}

/** One target's answer. */
export interface AdviceResult {
  adviceId: string
  target: string
  status: 'accepted' | 'rejected'
  reason?: string
  at: number
}

/** An advice with its results and aggregate, as the API lists it. */
export interface AdviceView extends Advice {
  status: AdviceStatus
  results: Array<{ target: string; status: AdviceStatus; reason?: string; at?: number }>
  counts: { accepted: number; rejected: number; pending: number }
}
