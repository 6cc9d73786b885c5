/**
 * RoleManager: this node's view of the term and the principal, and the one place that decides
 * to claim. The rules (listed in `index.ts`) are pure functions: election.ts,
 * principal-view.ts, claim-rules.ts, claim-intake.ts, split-brain.ts, fencing.ts. This class
 * coordinates: it holds the claim, gathers the facts (role-facts.ts), applies the outcome,
 * persists it (role-persistence.ts) and reports it (role-reporter.ts).
 */
import { TypedEventEmitter } from 'main-event'
import type { Logger } from 'pino'
import type { MemberHeartbeatDetail, MembershipEvents } from '../membership/index.js'
import type { FrameVerdictDetail, MeshMessage, MeshNodeEvents } from '../node/index.js'
import {
  claimFromHeartbeat,
  heldClaimOf,
  judgeClaim,
  readClaimMessage,
  refusalCountsTerm,
} from './claim-intake.js'
import { encodeRoleClaim } from './claim-codec.js'
import { claimReason, type ClaimReason } from './claim-rules.js'
import type { HeldClaim, IncomingClaim } from './claim-types.js'
import { compareClaims } from './election.js'
import {
  InvalidWeightError,
  NotPrincipalError,
  StaleTermError,
  WeightAboveMaxError,
} from './errors.js'
import type { PrincipalChangedDetail, RoleManagerEvents } from './events.js'
import { EvaluationSchedule } from './evaluation-schedule.js'
import { checkFencing, type FencingResult } from './fencing.js'
import { principalFacts, refusalOf, weightChangeMatters } from './principal-view.js'
import { RoleFacts } from './role-facts.js'
import { persistedStateOf, resumedClaim, rolesFor } from './role-persistence.js'
import { RoleReporter } from './role-reporter.js'
import { RoleStateWriter } from './role-state-writer.js'
import { RoleTiming } from './role-timing.js'
import { SplitBrainWatch } from './split-brain-watch.js'
import type {
  RoleManagerComponents,
  RoleManagerInit,
  RoleState,
  RoleStats,
  RolesMembership,
  RolesNode,
} from './role-types.js'
import type { OwnRole, PersistedRoleState, RoleStateStore } from './state-store.js'

type Status = 'stopped' | 'starting' | 'started'

export class RoleManager extends TypedEventEmitter<RoleManagerEvents> {
  private readonly node: RolesNode
  private readonly membership: RolesMembership
  private readonly store: RoleStateStore | undefined
  private readonly writer: RoleStateWriter
  private readonly log: Logger | undefined
  private readonly now: () => number
  private readonly timing: RoleTiming
  private readonly facts: RoleFacts
  private readonly reporter: RoleReporter
  private readonly schedule: EvaluationSchedule
  private readonly splitBrain: SplitBrainWatch
  private status: Status = 'stopped'
  private current: HeldClaim = { term: 0, principal: null, weight: 0, issuedAt: 0, since: 0 }
  /** Highest term of any claim we may have to outrank (ours, adopted, or live but refused). */
  private maxTermSeen = 0
  /** Role state came from the store: this node has been part of the mesh before. */
  private loadedState = false
  /**
   * This node claimed a term in this run. A node deposed by a higher claim made after its own
   * was replaced on purpose (it looked dead or misbehaving to the claimant), not in a formation
   * race: it must not take the role back as a fresh node.
   */
  private claimedThisRun = false
  private localEligible = true
  private lastOwnWeight = 0
  /** A weight change that changes the outcome happened after the current claim. */
  private weightChangedAt: number | undefined
  private lastClaimAt = Number.NEGATIVE_INFINITY
  /** Last role-claim message of the current principal: a claim proves life as a heartbeat does. */
  private principalClaimAt = Number.NEGATIVE_INFINITY
  private claiming = false
  private readonly detach: Array<() => void> = []

  constructor(components: RoleManagerComponents & RoleManagerInit) {
    super()
    const { node, membership, store, logger, ...init } = components
    this.node = node
    this.membership = membership
    this.store = store
    this.writer = new RoleStateWriter(store)
    this.log = logger?.child({ component: 'roles' })
    this.now = init.now ?? (() => Date.now())
    this.timing = new RoleTiming(node, init)
    this.facts = new RoleFacts({
      node,
      membership,
      timing: this.timing,
      current: () => this.current,
      principalClaimAt: () => this.principalClaimAt,
      localEligible: () => this.localEligible,
    })
    this.reporter = new RoleReporter(this, this.log)
    this.schedule = new EvaluationSchedule({
      evaluate: () => this.evaluate(),
      interval: () => this.timing.interval(),
      now: this.now,
      log: this.log,
    })
    this.splitBrain = new SplitBrainWatch({
      selfId: () => this.node.peerId,
      member: (peerId) => this.membership.member(peerId),
      current: () => this.current,
      now: this.now,
      graceMs: () => this.timing.splitBrainGraceMs(),
    })
  }

  get term(): number {
    return this.current.term
  }

  get principal(): string | null {
    return this.current.principal
  }

  get isPrincipal(): boolean {
    return this.current.principal !== null && this.current.principal === this.node.peerId
  }

  get roles(): OwnRole[] {
    return this.rolesFor(this.current)
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
    return {
      term: this.current.term,
      principal: this.current.principal,
      principalWeight: this.current.weight,
      roles: this.roles,
      claimAgeMs: Math.max(0, now - this.current.issuedAt),
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
    if (this.status !== 'stopped') return
    this.status = 'starting'
    let loaded: PersistedRoleState | undefined
    try {
      loaded = await this.store?.load()
    } catch (err) {
      this.status = 'stopped'
      throw err
    }
    const now = this.now()
    if (loaded !== undefined) {
      this.current = resumedClaim(loaded, this.node.peerId, now)
      this.maxTermSeen = Math.max(this.maxTermSeen, loaded.term)
      this.loadedState = true
      this.log?.info({ term: loaded.term, principal: this.current.principal }, 'role state loaded')
    }
    this.facts.markStarted(now)
    this.lastOwnWeight = this.node.config.weight
    this.onNode('control', this.onControl)
    this.onNode('verdict', this.onVerdict)
    this.onNode('step.synced', this.onSynced)
    this.onMembership('members.heartbeat', this.onHeartbeat)
    this.onMembership('members.status-changed', this.onStatusChanged)
    this.onMembership('members.weight-changed', this.onWeightChanged)
    this.status = 'started'
    this.publishLocalState()
    this.schedule.start(now + this.timing.deadPeriodMs())
  }

  /** Stops following the mesh; waits for writes in progress. Harmless twice. */
  async stop(): Promise<void> {
    if (this.status !== 'started') return
    this.status = 'stopped'
    for (const undo of this.detach.splice(0)) undo()
    this.schedule.stop()
    await this.writer.idle()
  }

  /**
   * Sets this node's weight (ROLE advice). Throws `WeightAboveMaxError` above `maxWeight` and
   * `InvalidWeightError` for a negative or non-finite one. May trigger a re-election.
   */
  setWeight(weight: number): void {
    if (typeof weight !== 'number' || !Number.isFinite(weight) || weight < 0)
      throw new InvalidWeightError(`weight must be a finite number ≥ 0, got ${String(weight)}`)
    const maxWeight = this.node.config.maxWeight
    if (weight > maxWeight) throw new WeightAboveMaxError(weight, maxWeight)
    this.node.applyConfig({ weight })
    this.evaluate()
  }

  /** Lets this node be principal or not (ROLE advice). A principal made ineligible steps down. */
  setEligible(eligible: boolean): void {
    this.localEligible = eligible
    this.evaluate()
  }

  /** Is `term` the current term? (Principal-issued messages carry it as a fencing token.) */
  isCurrentTerm(term: number): boolean {
    return term === this.current.term
  }

  /** Fencing check of a principal-issued message: its term and issuer against ours. */
  checkFencing(term: number, issuer: string): FencingResult {
    return checkFencing(this.current, term, issuer)
  }

  /** `checkFencing`, throwing `StaleTermError` or `NotPrincipalError`. */
  assertFencing(term: number, issuer: string): void {
    const result = this.checkFencing(term, issuer)
    if (result.ok) return
    throw result.code === 'STALE_TERM'
      ? new StaleTermError(result.detail)
      : new NotPrincipalError(result.detail)
  }

  // ── deciding ──────────────────────────────────────────────────────────────────────────────

  /** Gathers the facts and claims if a rule says so. Cheap; run on every relevant event. */
  private evaluate(): void {
    if (this.status !== 'started' || this.claiming) return
    const now = this.now()
    const config = this.node.config
    if (config.weight !== this.lastOwnWeight) {
      // setWeight, or a CONFIG advice applied to the node directly.
      const previous = this.lastOwnWeight
      this.lastOwnWeight = config.weight
      this.weightChanged(this.node.peerId, previous, now)
    }
    if (this.isPrincipal && !this.eligible) this.stepDown(now)
    this.publishLocalState()

    const facts = principalFacts(this.facts.tableView(now))
    const principal = this.current.principal
    if (this.weightChangedAt !== undefined && facts.expected === principal)
      this.weightChangedAt = undefined
    const reason = claimReason({
      heardMesh: this.hasHeardMesh(now),
      selfEligible: this.eligible,
      selfExpected: facts.expected === this.node.peerId,
      principal: principal === null ? 'none' : principal === this.node.peerId ? 'self' : 'other',
      principalAlive: facts.principalAlive,
      principalEligible: facts.principalEligible,
      principalRanksBelowSelf: facts.principalRanksBelowSelf,
      claimAgeMs: now - this.current.issuedAt,
      stabiliseMs: this.timing.stabiliseMs(),
      weightChanged: this.weightChangedAt !== undefined,
      preempt: config.preempt,
      uptimeMs: this.facts.uptimeMs(now),
      freshNode: !this.loadedState && !this.claimedThisRun,
      sinceLastClaimMs: now - this.lastClaimAt,
      minClaimGapMs: this.timing.minClaimGapMs(),
    })
    if (reason !== undefined) void this.claim(reason)
  }

  /**
   * Claims the next term: written to disk first (a restart never reuses a term), then
   * adopted, then published.
   */
  private async claim(reason: ClaimReason): Promise<void> {
    this.claiming = true
    const now = this.now()
    this.lastClaimAt = now
    const term = Math.max(this.current.term, this.maxTermSeen) + 1
    const next: HeldClaim = {
      term,
      principal: this.node.peerId,
      weight: this.node.config.weight,
      issuedAt: now,
      since: now,
    }
    try {
      await this.writer.write(this.persistedState(next))
      this.maxTermSeen = Math.max(this.maxTermSeen, term)
      this.claimedThisRun = true
      // Something better may have arrived while the file was written.
      if (this.status !== 'started' || compareClaims(next, this.current) <= 0) return
      this.log?.info({ term, reason, weight: next.weight }, 'claiming principal')
      this.adopt(next, reason)
      await this.node.sendControl(
        'role-claim',
        encodeRoleClaim({ term, principal: this.node.peerId, weight: next.weight }),
      )
      this.reporter.counters.claimsSent++
    } catch (err) {
      this.log?.error({ err, term, reason }, 'claim failed')
    } finally {
      this.claiming = false
    }
  }

  private stepDown(now: number): void {
    this.log?.info({ term: this.current.term }, 'stepping down: no longer eligible')
    this.switchTo(
      { term: this.current.term, principal: null, weight: 0, issuedAt: now, since: now },
      'stepped-down',
    )
  }

  private adopt(next: HeldClaim, cause: ClaimReason | 'adopted'): void {
    const splitBrain = this.splitBrain.onSwitch(this.current, next)
    if (cause === 'adopted') this.reporter.counters.claimsAdopted++
    // The weight change is settled by a claim issued after it (estimates: one interval slack).
    if (
      this.weightChangedAt !== undefined &&
      next.issuedAt >= this.weightChangedAt - this.timing.interval()
    )
      this.weightChangedAt = undefined
    this.switchTo(next, cause)
    this.reporter.splitBrain(splitBrain)
  }

  private switchTo(next: HeldClaim, cause: PrincipalChangedDetail['cause']): void {
    const previous = this.current
    const previousRoles = this.roles
    this.current = next
    this.maxTermSeen = Math.max(this.maxTermSeen, next.term)
    this.publishLocalState()
    if (previous.principal === next.principal && previous.term === next.term) return
    // Our own claims were written before they were made (claim()); the rest is written now.
    if (cause === 'adopted' || cause === 'stepped-down') {
      this.writer.write(this.persistedState(next)).catch((err: unknown) => {
        this.log?.error({ err }, 'role state not saved')
      })
    }
    this.reporter.principalChanged(previous, next, cause)
    this.reporter.rolesChanged(this.roles, previousRoles)
  }

  /** Routes the verdict on a claim from the mesh (claim-intake.ts) to its consequences. */
  private consider(incoming: IncomingClaim): void {
    const judged = judgeClaim(incoming, this.current, () =>
      refusalOf(incoming, {
        selfId: this.node.peerId,
        selfEligible: this.eligible,
        member: this.membership.member(incoming.principal),
        misbehaving: this.facts.misbehaving(incoming.principal, incoming.at),
        maxWeight: this.node.config.maxWeight,
      }),
    )
    switch (judged.verdict) {
      case 'stale':
        this.reporter.staleClaim(incoming, this.current.term)
        this.reporter.splitBrain(this.splitBrain.onWorse(incoming))
        return
      case 'same':
        if (incoming.kind === 'claim') this.noteClaimMessage(incoming.at)
        return
      case 'worse':
        this.reporter.splitBrain(this.splitBrain.onWorse(incoming))
        return
      case 'refused':
        if (refusalCountsTerm(judged.refusal))
          this.maxTermSeen = Math.max(this.maxTermSeen, incoming.term)
        this.reporter.refusedClaim(incoming, judged.refusal)
        return
      case 'adopt':
        this.principalClaimAt = Number.NEGATIVE_INFINITY
        if (incoming.kind === 'claim') this.noteClaimMessage(incoming.at)
        this.adopt(heldClaimOf(incoming), 'adopted')
    }
  }

  /**
   * A claim message proves its principal alive until `deadAfter` of its intervals have passed
   * without more; evaluate again then, or a principal that died right after claiming would
   * only be noticed at the next loop (one member interval, possibly long).
   */
  private noteClaimMessage(at: number): void {
    this.principalClaimAt = at
    this.schedule.wakeAt(this.timing.claimDeadAt(at))
  }

  /** Flags a re-election if this weight change changes the outcome (principal-view.ts). */
  private weightChanged(peerId: string, previous: number, now: number): void {
    if (!weightChangeMatters(this.facts.tableView(now), peerId, previous)) return
    this.log?.debug({ peerId, previous }, 'weight change: re-election due')
    this.weightChangedAt = now
  }

  private hasHeardMesh(now: number): boolean {
    return this.status === 'started' && this.facts.heardMesh(now)
  }

  private rolesFor(claim: HeldClaim): OwnRole[] {
    return rolesFor(claim, this.node.peerId, this.node.config.observer)
  }

  private persistedState(claim: HeldClaim): PersistedRoleState {
    return persistedStateOf(claim, this.rolesFor(claim))
  }

  // ── plumbing ──────────────────────────────────────────────────────────────────────────────

  private publishLocalState(): void {
    this.membership.setLocalState({
      term: this.current.term,
      principal: this.current.principal,
      principalWeight: this.current.weight,
      termIssuedAt: this.current.issuedAt,
      roles: this.roles,
      eligible: this.eligible,
    })
  }

  /** Adds a listener now, and its removal to `detach` (run by stop()). */
  private onNode<K extends keyof MeshNodeEvents>(
    type: K,
    listener: (event: MeshNodeEvents[K]) => void,
  ): void {
    this.node.addEventListener(type, listener)
    this.detach.push(() => this.node.removeEventListener(type, listener))
  }

  private onMembership<K extends keyof MembershipEvents>(
    type: K,
    listener: (event: MembershipEvents[K]) => void,
  ): void {
    this.membership.addEventListener(type, listener)
    this.detach.push(() => this.membership.removeEventListener(type, listener))
  }

  /** The first sign of the mesh opens the hearing gate a round later: evaluate then. */
  private noteHeard(at: number): void {
    if (this.status !== 'started') return
    const opensAt = this.facts.noteHeard(at)
    if (opensAt !== undefined) this.schedule.wakeAt(opensAt)
  }

  private readonly onSynced = (event: CustomEvent<{ source: 'peers' | 'local' }>): void => {
    if (event.detail.source === 'peers') this.noteHeard(this.now())
  }

  private readonly onHeartbeat = (event: CustomEvent<MemberHeartbeatDetail>): void => {
    const { heartbeat, receivedAt, electionChanged } = event.detail
    this.noteHeard(receivedAt)
    const before = this.current
    const maxTermBefore = this.maxTermSeen
    const incoming = claimFromHeartbeat(event.detail)
    if (incoming === undefined) this.maxTermSeen = Math.max(this.maxTermSeen, heartbeat.term)
    else this.consider(incoming)
    // A routine heartbeat (same claim, same election fields) changes no fact the rules read;
    // the time-based rules run on the loop. Skipping it keeps a 100-member mesh linear.
    if (electionChanged || this.current !== before || this.maxTermSeen !== maxTermBefore)
      this.evaluate()
  }

  private readonly onControl = (event: CustomEvent<MeshMessage>): void => {
    const { envelope, receivedAt } = event.detail
    if (envelope.kind !== 'role-claim' || envelope.senderId === this.node.peerId) return
    this.noteHeard(receivedAt)
    const message = readClaimMessage(envelope.senderId, envelope.data, receivedAt)
    if (!message.ok) {
      this.reporter.invalidClaim(message.claim, message.reason, message.detail)
      return
    }
    this.consider(message.claim)
    this.evaluate()
  }

  private readonly onStatusChanged = (): void => {
    this.evaluate()
  }

  private readonly onWeightChanged = (
    event: CustomEvent<{ peerId: string; weight: number; previous: number }>,
  ): void => {
    this.weightChanged(event.detail.peerId, event.detail.previous, this.now())
    this.evaluate()
  }

  private readonly onVerdict = (event: CustomEvent<FrameVerdictDetail>): void => {
    const { from, result, at } = event.detail
    if (result.verdict !== 'reject' || from === '' || from === this.node.peerId) return
    if (!this.facts.recordReject(from, at)) return
    this.reporter.misbehaving(from, from === this.current.principal)
    this.evaluate()
  }
}
