/**
 * The payload of an `anomaly-report` envelope (PROTOCOL.md §6): UTF-8 JSON
 * `{ v: 1, kind, offender, count, firstAt, lastAt, evidence }`. Decoded with exact field
 * types and bounds before anything else looks at it.
 */
import { decodeJsonPayload, encodeJsonPayload } from '../../protocol/index.js'
import type { Evidence } from './evidence.js'
import { MAX_REPORT_PAYLOAD_BYTES } from './constants.js'
import { isProvable, type ProvableCode } from './provable.js'

export interface ReportPayload {
  v: 1
  kind: ProvableCode
  /** The peer blamed: the signer of the evidence. */
  offender: string
  /** Occurrences the reporter saw since its previous report of this (kind, offender). */
  count: number
  firstAt: number
  lastAt: number
  evidence: Evidence
}

export type ReportDecodeResult = { ok: true; report: ReportPayload } | { ok: false; detail: string }

/** Reports of one window claim at most this many occurrences (10k frames/s for a minute). */
const MAX_COUNT = 1_000_000

export function encodeReport(report: ReportPayload): Uint8Array {
  return encodeJsonPayload(report)
}

export function decodeReport(bytes: Uint8Array): ReportDecodeResult {
  const parsed = decodeJsonPayload(bytes, MAX_REPORT_PAYLOAD_BYTES)
  if (!parsed.ok) return parsed
  const value = parsed.value as Record<string, unknown> | null
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    return bad('report is not an object')
  if (value.v !== 1) return bad(`unknown report version ${String(value.v)}`)
  if (typeof value.kind !== 'string' || !isProvable(value.kind))
    return bad(`kind ${String(value.kind)} is not a reportable code`)
  if (!isShortString(value.offender)) return bad('offender is not a peer id string')
  if (!isCount(value.count)) return bad(`count must be an integer in 1…${MAX_COUNT}`)
  if (!isTime(value.firstAt) || !isTime(value.lastAt) || value.lastAt < value.firstAt)
    return bad('firstAt and lastAt must be times in ms, firstAt ≤ lastAt')
  const evidence = value.evidence as Record<string, unknown> | null
  if (typeof evidence !== 'object' || evidence === null) return bad('evidence is missing')
  for (const field of ['from', 'seqno', 'topic'] as const)
    if (!isShortString(evidence[field])) return bad(`evidence.${field} must be a short string`)
  for (const field of ['data', 'signature'] as const)
    if (typeof evidence[field] !== 'string') return bad(`evidence.${field} must be a string`)
  if (evidence.key !== undefined && typeof evidence.key !== 'string')
    return bad('evidence.key must be a string')
  if (evidence.from !== value.offender) return bad('offender is not the signer of the evidence')
  const out: Evidence = {
    from: evidence.from as string,
    seqno: evidence.seqno as string,
    topic: evidence.topic as string,
    data: evidence.data as string,
    signature: evidence.signature as string,
  }
  if (typeof evidence.key === 'string') out.key = evidence.key
  return {
    ok: true,
    report: {
      v: 1,
      kind: value.kind,
      offender: value.offender,
      count: value.count,
      firstAt: value.firstAt,
      lastAt: value.lastAt,
      evidence: out,
    },
  }
}

function isShortString(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0 && value.length <= 256
}

function isCount(value: unknown): value is number {
  return Number.isInteger(value) && (value as number) >= 1 && (value as number) <= MAX_COUNT
}

function isTime(value: unknown): value is number {
  return Number.isSafeInteger(value) && (value as number) >= 0
}

function bad(detail: string): ReportDecodeResult {
  return { ok: false, detail: `anomaly report: ${detail}` }
}
