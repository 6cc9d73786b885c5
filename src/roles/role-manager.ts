/**
 * RoleManager: this node's view of the term and the principal (DESIGN §5). The rules (listed
 * in `index.ts`) are pure functions: election.ts, principal-view.ts, claim-rules.ts,
 * claim-intake.ts, split-brain.ts, fencing.ts. The held claim and the decisions live in
 * role-engine.ts; this class is the service: it loads and persists the state, listens to the
 * node and membership (one AbortController per start), and answers the API.
 */
import { setMaxListeners } from 'node:events'
import { TypedEventEmitter } from 'main-event'
import type { Logger } from 'pino'
import type { MemberHeartbeatDetail } from '../membership/index.js'
import type { FrameVerdictDetail } from '../node/events.js'
import type { ControlFrame, ControlVerdict } from '../node/ports.js'
import { claimFromHeartbeat, readClaimMessage } from './claim-intake.js'
import {
  InvalidWeightError,
  NotPrincipalError,
  StaleTermError,
  WeightAboveMaxError,
} from './errors.js'
import type { RoleManagerEvents } from './events.js'
import { EvaluationSchedule } from './evaluation-schedule.js'
import { checkFencing, type FencingResult } from './fencing.js'
import { RoleEngine } from './role-engine.js'
import { RoleFacts } from './role-facts.js'
import { RoleReporter } from './role-reporter.js'
import { RoleStateWriter } from './role-state-writer.js'
import { RoleTiming } from './role-timing.js'
import type { RoleManagerComponents, RoleManagerInit, RoleState, RoleStats } from './role-types.js'
import { SplitBrainWatch } from './split-brain-watch.js'
import type { OwnRole } from './state-store.js'

const SIGNAL_LISTENERS = 64

export class RoleManager extends TypedEventEmitter<RoleManagerEvents> {
  private readonly components: RoleManagerComponents
  private readonly writer: RoleStateWriter
  private readonly log: Logger | undefined
  private readonly now: () => number
  private readonly timing: RoleTiming
  private readonly facts: RoleFacts
  private readonly reporter: RoleReporter
  private readonly schedule: EvaluationSchedule
  private readonly engine: RoleEngine
  private controller: AbortController | undefined

  constructor(components: RoleManagerComponents, init: RoleManagerInit = {}) {
    super()
    const { identity, liveConfig, membership } = components
    this.components = components
    this.writer = new RoleStateWriter(components.store)
    this.log = components.logger?.child({ component: 'roles', self: identity.peerId })
    this.now = init.now ?? (() => Date.now())
    this.timing = new RoleTiming(liveConfig, init)
    this.facts = new RoleFacts({
      node: {
        get peerId() {
          return identity.peerId
        },
        get config() {
          return liveConfig.config
        },
      },
      membership,
      timing: this.timing,
      current: () => this.engine.current,
      principalClaimAt: () => this.engine.principalClaimAt,
      localEligible: () => this.engine.localEligible,
    })
    this.reporter = new RoleReporter(this, this.log)
    this.schedule = new EvaluationSchedule({
      evaluate: () => this.evaluate(),
      interval: () => this.timing.interval(),
      now: this.now,
      ...(this.log !== undefined ? { log: this.log } : {}),
    })
    const splitBrain = new SplitBrainWatch({
      selfId: () => identity.peerId,
      member: (peerId) => membership.member(peerId),
      current: () => this.engine.current,
      now: this.now,
      graceMs: () => this.timing.splitBrainGraceMs(),
    })
    this.engine = new RoleEngine({
      components,
      writer: this.writer,
      timing: this.timing,
      facts: this.facts,
      reporter: this.reporter,
      schedule: this.schedule,
      splitBrain,
      now: this.now,
      log: this.log,
    })
  }

  get term(): number {
    return this.engine.current.term
  }

  get principal(): string | null {
    return this.engine.current.principal
  }

  get isPrincipal(): boolean {
    const principal = this.engine.current.principal
    return principal !== null && principal === this.components.identity.peerId
  }

  get roles(): OwnRole[] {
    return this.engine.roles()
  }

  /** May this node be principal, in its own view? */
  get eligible(): boolean {
    return this.facts.selfEligible()
  }

  /** Has this node heard the mesh (so that it may claim)? */
  get heardMesh(): boolean {
    return this.hasHeardMesh(this.now())
  }

  state(): RoleState {
    const now = this.now()
    const current = this.engine.current
    return {
      term: current.term,
      principal: current.principal,
      principalWeight: current.weight,
      roles: this.roles,
      claimAgeMs: Math.max(0, now - current.issuedAt),
      heardMesh: this.hasHeardMesh(now),
      eligible: this.eligible,
    }
  }

  stats(): RoleStats {
    return this.reporter.stats(this.writer.failures)
  }

  /**
   * Loads the persisted state (throws `RoleStateCorruptError` on a corrupt file, which is left
   * as it is), then follows the mesh. Claims only once it has heard the mesh.
   */
  async start(): Promise<void> {
    if (this.controller !== undefined) return
    const controller = new AbortController()
    // One listener per event this service follows, all on this signal.
    setMaxListeners(SIGNAL_LISTENERS, controller.signal)
    this.controller = controller
    let loaded
    try {
      loaded = await this.components.store?.load()
    } catch (err) {
      this.controller = undefined
      throw err
    }
    if (controller.signal.aborted) return
    const { signal } = controller
    const now = this.now()
    this.facts.markStarted(now)
    this.engine.start(loaded, signal)
    const { events, membership } = this.components
    this.components.control.handleControl('role-claim', this.onClaim, { signal })
    events.addEventListener('verdict', this.onVerdict, { signal })
    events.addEventListener('step.synced', this.onSynced, { signal })
    membership.addEventListener('members.heartbeat', this.onHeartbeat, { signal })
    membership.addEventListener('members.table', this.onTable, { signal })
    membership.addEventListener('members.status-changed', this.onStatusChanged, { signal })
    membership.addEventListener('members.weight-changed', this.onWeightChanged, { signal })
    membership.addEventListener('members.leaving', this.onLeaving, { signal })
    this.schedule.start(now + this.timing.deadPeriodMs(), signal)
  }

  /** Stops following the mesh; waits for writes in progress. Harmless twice. */
  async stop(): Promise<void> {
    const controller = this.controller
    if (controller === undefined) return
    this.controller = undefined
    controller.abort()
    await this.writer.idle()
  }

  /**
   * Sets this node's weight (ROLE advice). Throws `WeightAboveMaxError` above `maxWeight` and
   * `InvalidWeightError` for a negative or non-finite one. May trigger a re-election.
   */
  setWeight(weight: number): void {
    if (typeof weight !== 'number' || !Number.isFinite(weight) || weight < 0)
      throw new InvalidWeightError(`weight must be a finite number ≥ 0, got ${String(weight)}`)
    const maxWeight = this.components.liveConfig.config.maxWeight
    if (weight > maxWeight) throw new WeightAboveMaxError(weight, maxWeight)
    this.components.liveConfig.applyConfig({ weight })
    this.evaluate()
  }

  /** Lets this node be principal or not (ROLE advice). A principal made ineligible steps down. */
  setEligible(eligible: boolean): void {
    this.engine.localEligible = eligible
    this.evaluate()
  }

  /** Is `term` the current term? (Principal-issued messages carry it as a fencing token.) */
  isCurrentTerm(term: number): boolean {
    return term === this.engine.current.term
  }

  /** Fencing check of a principal-issued message: its term and issuer against ours. */
  checkFencing(term: number, issuer: string): FencingResult {
    return checkFencing(this.engine.current, term, issuer)
  }

  /** `checkFencing`, throwing `StaleTermError` or `NotPrincipalError`. */
  assertFencing(term: number, issuer: string): void {
    const result = this.checkFencing(term, issuer)
    if (result.ok) return
    throw result.code === 'STALE_TERM'
      ? new StaleTermError(result.detail)
      : new NotPrincipalError(result.detail)
  }

  private evaluate(): void {
    this.engine.evaluate(this.hasHeardMesh(this.now()))
  }

  private hasHeardMesh(now: number): boolean {
    return this.engine.active && this.facts.heardMesh(now)
  }

  /** The first sign of the mesh opens the hearing gate a round later: evaluate then. */
  private noteHeard(at: number): void {
    if (!this.engine.active) return
    const opensAt = this.facts.noteHeard(at)
    if (opensAt !== undefined) this.schedule.wakeAt(opensAt)
  }

  private readonly onSynced = (event: CustomEvent<{ source: 'peers' | 'local' }>): void => {
    if (event.detail.source === 'peers') this.noteHeard(this.now())
  }

  /** A peer's member table says who is there and what they follow: the mesh is heard now. */
  private readonly onTable = (event: CustomEvent<{ at: number; maxTerm: number }>): void => {
    this.facts.noteTable(event.detail.at)
    this.engine.noteTerm(event.detail.maxTerm)
    this.evaluate()
  }

  private readonly onHeartbeat = (event: CustomEvent<MemberHeartbeatDetail>): void => {
    const { heartbeat, receivedAt, electionChanged } = event.detail
    this.noteHeard(receivedAt)
    const before = this.engine.current
    const maxTermBefore = this.engine.maxTermSeen
    const incoming = claimFromHeartbeat(event.detail)
    if (incoming === undefined) this.engine.noteTerm(heartbeat.term)
    else this.engine.consider(incoming)
    // A routine heartbeat (same claim, same election fields) changes no fact the rules read;
    // the time-based rules run on the loop. Skipping it keeps a 100-member mesh linear.
    if (
      electionChanged ||
      this.engine.current !== before ||
      this.engine.maxTermSeen !== maxTermBefore
    )
      this.evaluate()
  }

  /** A role-claim frame: one that does not decode, or claims for another, is rejected. */
  private readonly onClaim = (frame: ControlFrame): ControlVerdict => {
    const { envelope, receivedAt } = frame
    if (envelope.senderId === this.components.identity.peerId) return { verdict: 'accept' }
    const message = readClaimMessage(envelope.senderId, envelope.data, receivedAt)
    if (!message.ok) {
      this.reporter.invalidClaim(message.claim, message.reason, message.detail)
      const detail = message.detail ?? `claim of ${message.reason}`
      return { verdict: 'reject', code: 'MALFORMED', detail }
    }
    this.noteHeard(receivedAt)
    this.engine.consider(message.claim)
    this.evaluate()
    return { verdict: 'accept' }
  }

  private readonly onStatusChanged = (): void => {
    this.evaluate()
  }

  private readonly onWeightChanged = (
    event: CustomEvent<{ peerId: string; weight: number; previous: number }>,
  ): void => {
    this.engine.weightChanged(event.detail.peerId, event.detail.previous, this.now())
    this.evaluate()
  }

  /** Membership is about to send its leaving heartbeat: a principal hands its term over now. */
  private readonly onLeaving = (): void => {
    this.engine.handOver()
  }

  private readonly onVerdict = (event: CustomEvent<FrameVerdictDetail>): void => {
    const { from, result, at } = event.detail
    const self = this.components.identity.peerId
    if (result.verdict !== 'reject' || from === '' || from === self) return
    if (!this.facts.recordReject(from, at)) return
    this.reporter.misbehaving(from, from === this.engine.current.principal)
    this.evaluate()
  }
}
