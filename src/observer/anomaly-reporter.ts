/**
 * The one anomaly reporter every detector feeds: folds repeats per (kind, peer) into one record
 * per window (count and witnesses grow in place while it is open), keeps them in a bounded
 * store, charges the peer's gossipsub penalty, and announces each new record.
 */
import { randomUUID } from 'node:crypto'
import { LRUCache } from 'lru-cache'
import { SEVERITY_OF, type Anomaly, type AnomalyKind, type AnomalySource } from './anomaly.js'
import { AnomalyStore, type AnomalyFilter, type AnomalyStoreStats } from './anomaly-store.js'
import { PenaltyLedger } from './app-score.js'
import { APP_SCORE_HALF_LIFE_MS, APP_SCORE_POINTS } from './constants.js'
import { foldDecision, foldInto, type OpenRecord } from './fold.js'

/** One occurrence, from a detector (local) or a believed report (reported). */
export interface AnomalyInput {
  kind: AnomalyKind
  /** The peer blamed; null for mesh-level conditions. */
  peerId: string | null
  step: number | null
  detail: string
  at: number
  /** Default `local`. */
  source?: AnomalySource
  /** Who saw it first-hand: a report's sender; this node when local (the default). */
  witness?: string
  /** Occurrences it stands for (a report's folded count); default 1. */
  count?: number
  /** Penalty points charged per occurrence (default: by severity); a report charges once. */
  chargeOnce?: boolean
}

/** Where detectors and the report service put what they found. */
export interface AnomalySink {
  record(input: AnomalyInput): void
  /** The kind of the last frame anomaly recorded against `peerId` (graylisted drops fold into it). */
  lastFrameKind(peerId: string): AnomalyKind | undefined
}

export interface AnomalyReporterInit {
  self: () => string
  capacity: number
  maxPeers: number
  coalesceMs: number
  onRecord: (anomaly: Anomaly) => void
}

/** Anomaly kinds that come from a frame's verdict (a graylisted peer's drops reuse them). */
const FRAME_KINDS: ReadonlySet<AnomalyKind> = new Set([
  'PATTERN_MISMATCH',
  'TAG_MISMATCH',
  'REPLAY',
  'STEP_SKEW',
  'MALFORMED',
  'OVERSIZE',
  'UNKNOWN_SENDER',
])

export class AnomalyReporter implements AnomalySink {
  private readonly init: AnomalyReporterInit
  private readonly store: AnomalyStore
  private readonly penalties: PenaltyLedger
  private readonly open: LRUCache<string, Anomaly & OpenRecord>
  private readonly lastKinds: LRUCache<string, AnomalyKind>
  private readonly totals: Partial<Record<AnomalyKind, number>> = {}

  constructor(init: AnomalyReporterInit) {
    this.init = init
    this.store = new AnomalyStore(init.capacity)
    this.penalties = new PenaltyLedger({
      halfLifeMs: APP_SCORE_HALF_LIFE_MS,
      maxPeers: init.maxPeers,
    })
    this.open = new LRUCache({ max: init.maxPeers * 4 })
    this.lastKinds = new LRUCache({ max: init.maxPeers })
  }

  record(input: AnomalyInput): void {
    const { kind, peerId, at } = input
    const count = Math.max(1, Math.floor(input.count ?? 1))
    const source = input.source ?? 'local'
    const witness = input.witness ?? (source === 'local' ? this.init.self() : undefined)
    this.totals[kind] = (this.totals[kind] ?? 0) + count
    // Every occurrence costs the peer, folded or not: 1,000 forgeries weigh more than one.
    if (peerId !== null && kind !== 'SPLIT_BRAIN') {
      const points = APP_SCORE_POINTS[SEVERITY_OF[kind]]
      this.penalties.add(peerId, points * (input.chargeOnce === true ? 1 : count), at)
      if (FRAME_KINDS.has(kind)) this.lastKinds.set(peerId, kind)
    }
    const key = `${kind}|${peerId ?? ''}`
    const open = this.open.get(key)
    if (open !== undefined && foldDecision(open, at, this.init.coalesceMs) === 'fold') {
      foldInto(open, count, witness)
      if (source === 'local') open.source = 'local'
      return
    }
    // The stored record is the open one: its count and witnesses grow while the window lasts.
    const record: Anomaly & OpenRecord = {
      id: randomUUID(),
      kind,
      severity: SEVERITY_OF[kind],
      peerId,
      step: input.step,
      at,
      detail: input.detail,
      count,
      witnesses: witness === undefined ? [] : [witness],
      source,
    }
    this.open.set(key, record)
    this.store.push(record)
    this.init.onRecord(record)
  }

  lastFrameKind(peerId: string): AnomalyKind | undefined {
    return this.lastKinds.get(peerId)
  }

  /** Newest first. */
  list(filter: AnomalyFilter = {}): Anomaly[] {
    return this.store.list(filter)
  }

  storeStats(): AnomalyStoreStats {
    return this.store.stats()
  }

  /** Occurrences per kind since start, folded repeats included. */
  totalsByKind(): Partial<Record<AnomalyKind, number>> {
    return { ...this.totals }
  }

  /** gossipsub's P5 for `peerId`: minus its decayed penalty points. */
  appScore(peerId: string, now: number): number {
    return this.penalties.score(peerId, now)
  }
}
