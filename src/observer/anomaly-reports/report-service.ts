/**
 * Anomaly reports (DESIGN §14): every observer sees the whole mesh. A node that rejects a
 * frame first-hand, for a reason one message proves (provable.ts), publishes an
 * `anomaly-report` with the gossip message as evidence, folded and rate-limited (folder.ts).
 * Every node checks a report before it believes it: the offender's signature over the
 * evidence (evidence.ts), then the same frame verification (`reverify`). A believed report
 * joins the anomaly list with the reporter as witness; one that does not re-verify becomes a
 * FALSE_REPORT against its reporter, and the accused gets nothing.
 */
import type { Message } from '@libp2p/gossipsub'
import { LRUCache } from 'lru-cache'
import type { Logger } from 'pino'
import type { FrameVerdictDetail } from '../../node/events.js'
import type {
  ControlChannel,
  ControlFrame,
  ControlVerdict,
  NodeIdentity,
  Service,
} from '../../node/ports.js'
import type { AnomalySink } from '../anomaly-reporter.js'
import type { VerdictSource } from '../sources.js'
import {
  DEFAULT_INTAKE_BURST,
  DEFAULT_INTAKE_RATE_PER_SECOND,
  DEFAULT_MAX_PENDING_CHECKS,
  DEFAULT_REPORT_BURST,
  DEFAULT_REPORT_MAX_KEYS,
  DEFAULT_REPORT_RATE_PER_SECOND,
  DEFAULT_REPORT_WINDOW_MS,
  MAX_EVIDENCE_BYTES,
} from './constants.js'
import { checkEvidence, evidenceOf } from './evidence.js'
import { ReportFolder, takeOne, type DueReport, type Tokens } from './folder.js'
import { decodeReport, encodeReport, type ReportPayload } from './payload.js'
import { confirms, isProvable, type GossipReverifier, type ProvableCode } from './provable.js'

export interface AnomalyReportComponents {
  identity: Pick<NodeIdentity, 'peerId'>
  /**
   * Publishing reports, and the intake of everybody's: `handleControl('anomaly-report', …)`
   * runs the handler inside gossipsub's validator (a malformed report is rejected there).
   */
  control: Pick<ControlChannel, 'sendControl' | 'handleControl'>
  /** First-hand verdicts, with the gossip message each frame came in. */
  verdicts: VerdictSource
  /** The node's receive checks, run again on a report's evidence. */
  reverify: GossipReverifier
  /** Where believed reports and FALSE_REPORTs go: the observer's anomaly reporter. */
  sink: AnomalySink
  /**
   * Gossip messages of graylisted peers dropped unread: an offender that keeps sending keeps
   * being reported, with the evidence that got it graylisted (its new frames are never read).
   */
  drops?: DropSource
  logger?: Logger
  now?: () => number
}

export interface DropSource {
  addEventListener(
    type: 'observer.graylist-drop',
    listener: (event: CustomEvent<{ peerId: string; messages: number }>) => void,
    options: { signal: AbortSignal },
  ): void
}

export interface AnomalyReportInit {
  windowMs?: number
  ratePerSecond?: number
  burst?: number
  maxKeys?: number
  intakeRatePerSecond?: number
  intakeBurst?: number
  maxPendingChecks?: number
  maxEvidenceBytes?: number
}

export interface AnomalyReportStats {
  /** Reports published, and publishes that failed. */
  sent: number
  sendFailed: number
  /** Rejections not reportable: too large to carry as evidence, or unsigned. */
  unprovable: number
  /** Reports received and believed, found false, or not checked (rate limit, queue full). */
  believed: number
  falseReports: number
  ignored: number
  folder: ReturnType<ReportFolder<Message>['stats']>
}

export class AnomalyReportService implements Service {
  private readonly components: AnomalyReportComponents
  private readonly log: Logger | undefined
  private readonly now: () => number
  private readonly windowMs: number
  private readonly init: AnomalyReportInit
  private readonly intake: LRUCache<string, Tokens>
  private folder: ReportFolder<Message>
  /** Per offender, the last provable rejection: the evidence reports of its drops carry. */
  private readonly lastProof: LRUCache<string, { kind: ProvableCode; gossip: Message }>
  private controller: AbortController | undefined
  private pending = 0
  private readonly counters = {
    sent: 0,
    sendFailed: 0,
    unprovable: 0,
    believed: 0,
    falseReports: 0,
    ignored: 0,
  }

  constructor(components: AnomalyReportComponents, init: AnomalyReportInit = {}) {
    this.components = components
    this.init = init
    this.log = components.logger?.child({ component: 'anomaly-reports' })
    this.now = components.now ?? Date.now
    this.windowMs = init.windowMs ?? DEFAULT_REPORT_WINDOW_MS
    this.folder = this.newFolder()
    this.intake = new LRUCache({ max: (init.maxKeys ?? DEFAULT_REPORT_MAX_KEYS) * 4 })
    this.lastProof = new LRUCache({ max: init.maxKeys ?? DEFAULT_REPORT_MAX_KEYS })
  }

  async start(): Promise<void> {
    if (this.controller !== undefined) return
    const controller = new AbortController()
    this.controller = controller
    const { signal } = controller
    this.folder = this.newFolder()
    this.components.verdicts.addEventListener('verdict', (event) => this.onVerdict(event.detail), {
      signal,
    })
    this.components.control.handleControl('anomaly-report', (frame) => this.onReport(frame), {
      signal,
    })
    this.components.drops?.addEventListener(
      'observer.graylist-drop',
      (event) => this.onDrop(event.detail.peerId, event.detail.messages),
      { signal },
    )
    const timer = setInterval(() => {
      for (const due of this.folder.flush(this.now())) this.send(due)
    }, this.windowMs)
    timer.unref?.()
    signal.addEventListener('abort', () => clearInterval(timer), { once: true })
  }

  async stop(): Promise<void> {
    this.controller?.abort()
    this.controller = undefined
  }

  stats(): AnomalyReportStats {
    return { ...this.counters, folder: this.folder.stats() }
  }

  /** A first-hand rejection: report it if one message proves it. */
  private onVerdict(detail: FrameVerdictDetail): void {
    const { result, gossip, from } = detail
    if (result.verdict !== 'reject' || !isProvable(result.code) || from === '') return
    if (gossip?.type !== 'signed') {
      this.counters.unprovable++
      return
    }
    if (gossip.data.length > (this.init.maxEvidenceBytes ?? MAX_EVIDENCE_BYTES)) {
      this.counters.unprovable++
      return
    }
    this.lastProof.set(from, { kind: result.code, gossip })
    const due = this.folder.offer(result.code, from, gossip, this.now())
    if (due !== undefined) this.send(due)
  }

  /**
   * A graylisted offender's messages dropped unread: folded into its reports, with the proof
   * that got it graylisted. (A peer graylisted by gossipsub's own penalties has no proof here:
   * nothing is reported for it.)
   */
  private onDrop(peerId: string, messages: number): void {
    const proof = this.lastProof.get(peerId)
    if (proof === undefined) return
    const due = this.folder.offer(proof.kind, peerId, proof.gossip, this.now(), messages)
    if (due !== undefined) this.send(due)
  }

  private send(due: DueReport<Message>): void {
    const evidence = evidenceOf(due.evidence, this.init.maxEvidenceBytes ?? MAX_EVIDENCE_BYTES)
    if (evidence === undefined || !isProvable(due.kind)) return
    const payload: ReportPayload = {
      v: 1,
      kind: due.kind,
      offender: due.offender,
      count: due.count,
      firstAt: due.firstAt,
      lastAt: due.lastAt,
      evidence,
    }
    this.components.control.sendControl('anomaly-report', encodeReport(payload)).then(
      () => {
        this.counters.sent++
      },
      (err: unknown) => {
        this.counters.sendFailed++
        this.log?.debug({ err }, 'anomaly report not sent')
      },
    )
  }

  /**
   * A report from the mesh, inside gossipsub's validator. The payload is decoded and bounded
   * here (synchronously, as a control handler must): a malformed one is rejected, not
   * forwarded. The evidence check is asynchronous (a signature), so a well-formed report is
   * forwarded, and its outcome (believed, or FALSE_REPORT) recorded here once known.
   */
  private onReport(frame: ControlFrame): ControlVerdict {
    const reporter = frame.from
    if (reporter === this.components.identity.peerId) return { verdict: 'accept' }
    const now = this.now()
    const taken = takeOne(
      this.intake.get(reporter) ?? {
        tokens: this.init.intakeBurst ?? DEFAULT_INTAKE_BURST,
        at: now,
      },
      now,
      this.init.intakeRatePerSecond ?? DEFAULT_INTAKE_RATE_PER_SECOND,
      this.init.intakeBurst ?? DEFAULT_INTAKE_BURST,
    )
    this.intake.set(reporter, taken.state)
    if (!taken.ok || this.pending >= (this.init.maxPendingChecks ?? DEFAULT_MAX_PENDING_CHECKS)) {
      this.counters.ignored++
      return {
        verdict: 'ignore',
        code: 'FLOOD',
        detail: `too many anomaly reports from ${reporter}`,
      }
    }
    const decoded = decodeReport(frame.envelope.data)
    if (!decoded.ok) {
      this.falseReport(reporter, frame.envelope.globalStep, decoded.detail, now)
      return { verdict: 'reject', code: 'MALFORMED', detail: decoded.detail }
    }
    this.pending++
    this.check(reporter, decoded.report, frame.envelope.globalStep)
      .catch((err: unknown) => this.log?.warn({ err, reporter }, 'anomaly report check failed'))
      .finally(() => {
        this.pending--
      })
    return { verdict: 'accept' }
  }

  private async check(reporter: string, report: ReportPayload, step: number): Promise<void> {
    const signed = await checkEvidence(report.evidence)
    if (this.controller?.signal.aborted !== false) return
    const now = this.now()
    if (!signed.ok)
      return this.falseReport(
        reporter,
        step,
        `${report.kind} against ${report.offender}: ${signed.detail}`,
        now,
      )
    const results = this.components.reverify(signed.evidence)
    if (!confirms(results, report.kind)) {
      const found = [...new Set(results.map((r) => r.code))].join(', ')
      return this.falseReport(
        reporter,
        step,
        `${report.kind} against ${report.offender} does not re-verify (found ${found})`,
        now,
      )
    }
    this.counters.believed++
    this.components.sink.record({
      kind: report.kind as ProvableCode,
      peerId: report.offender,
      step: null,
      // Who reported it is `witness` (shown beside the detail): not repeated in it.
      detail: `evidence re-verified here (${report.count} frame(s) in the report); topic ${signed.evidence.topic}`,
      at: now,
      source: 'reported',
      witness: reporter,
      count: report.count,
      chargeOnce: true,
    })
  }

  private falseReport(reporter: string, step: number, detail: string, at: number): void {
    this.counters.falseReports++
    this.components.sink.record({
      kind: 'FALSE_REPORT',
      peerId: reporter,
      step,
      detail,
      at,
    })
  }

  private newFolder(): ReportFolder<Message> {
    return new ReportFolder<Message>(
      {
        windowMs: this.windowMs,
        ratePerSecond: this.init.ratePerSecond ?? DEFAULT_REPORT_RATE_PER_SECOND,
        burst: this.init.burst ?? DEFAULT_REPORT_BURST,
        maxKeys: this.init.maxKeys ?? DEFAULT_REPORT_MAX_KEYS,
      },
      this.now(),
    )
  }
}

/** The factory: `anomalyReports(init)(components)`. */
export function anomalyReports(init: AnomalyReportInit = {}) {
  return (components: AnomalyReportComponents): AnomalyReportService =>
    new AnomalyReportService(components, init)
}
