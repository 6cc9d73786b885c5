/**
 * RoleManager: this node's view of the term and the principal, and the one place that decides
 * to claim. The rules (listed in `index.ts`) are pure functions: election.ts,
 * principal-view.ts, claim-rules.ts, split-brain.ts, fencing.ts. This class gathers the facts
 * from membership and the node, applies the outcome, persists it and raises the events.
 */
import { TypedEventEmitter } from 'main-event'
import type { Logger } from 'pino'
import {
  statusFor,
  type MemberHeartbeatDetail,
  type MembershipEvents,
} from '../membership/index.js'
import type { FrameVerdictDetail, MeshMessage, MeshNodeEvents } from '../node/index.js'
import { decodeRoleClaim, encodeRoleClaim } from './claim-codec.js'
import { claimReason, type ClaimReason } from './claim-rules.js'
import type { HeldClaim, IncomingClaim } from './claim-types.js'
import {
  DEFAULT_MISBEHAVIOUR_REJECTS,
  DEFAULT_MISBEHAVIOUR_WINDOW_HEARTBEATS,
  DEFAULT_STABILISE_HEARTBEATS,
  HEAR_MESH_HEARTBEATS,
  MAX_TRACKED_OFFENDERS,
  MIN_CLAIM_GAP_HEARTBEATS,
  SPLIT_BRAIN_GRACE_HEARTBEATS,
} from './constants.js'
import { canBePrincipal, compareClaims, type Candidate } from './election.js'
import {
  InvalidWeightError,
  NotPrincipalError,
  StaleTermError,
  WeightAboveMaxError,
} from './errors.js'
import type {
  ClaimRefusal,
  PrincipalChangedDetail,
  RoleManagerEvents,
  SplitBrainDetail,
} from './events.js'
import { checkFencing, type FencingResult } from './fencing.js'
import { RejectTracker, type MisbehaviourPolicy } from './misbehaviour.js'
import { principalFacts, refusalOf, weightChangeMatters, type TableView } from './principal-view.js'
import { RoleStateWriter } from './role-state-writer.js'
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

export type {
  RoleManagerComponents,
  RoleManagerInit,
  RoleState,
  RoleStats,
  RolesMembership,
  RolesNode,
} from './role-types.js'

export class RoleManager extends TypedEventEmitter<RoleManagerEvents> {
  private readonly node: RolesNode
  private readonly membership: RolesMembership
  private readonly store: RoleStateStore | undefined
  private readonly writer: RoleStateWriter
  private readonly log: Logger | undefined
  private readonly init: RoleManagerInit
  private readonly now: () => number
  private readonly rejects = new RejectTracker(MAX_TRACKED_OFFENDERS)
  private readonly splitBrain: SplitBrainWatch
  private status: Status = 'stopped'
  private current: HeldClaim = { term: 0, principal: null, weight: 0, issuedAt: 0, since: 0 }
  /** Highest term of any claim we may have to outrank (ours, adopted, or live but refused). */
  private maxTermSeen = 0
  /** Role state came from the store: this node has been part of the mesh before. */
  private loadedState = false
  private localEligible = true
  private lastOwnWeight = 0
  private startedAt = 0
  /** First sign of the mesh: a peer heartbeat or claim, or a step sync answered by peers. */
  private heardAt: number | undefined
  /** A weight change that changes the outcome happened after the current claim. */
  private weightChangedAt: number | undefined
  private lastClaimAt = Number.NEGATIVE_INFINITY
  /** Last role-claim message of the current principal: a claim proves life as a heartbeat does. */
  private principalClaimAt = Number.NEGATIVE_INFINITY
  private claiming = false
  private readonly counters = {
    claimsSent: 0,
    claimsAdopted: 0,
    staleClaims: 0,
    refusedClaims: 0,
    invalidClaims: 0,
    splitBrains: 0,
  }
  private readonly detach: Array<() => void> = []
  private loopTimer: ReturnType<typeof setTimeout> | undefined
  private readonly wakeTimers = new Set<ReturnType<typeof setTimeout>>()

  constructor(components: RoleManagerComponents & RoleManagerInit) {
    super()
    const { node, membership, store, logger, ...init } = components
    this.node = node
    this.membership = membership
    this.store = store
    this.writer = new RoleStateWriter(store)
    this.log = logger?.child({ component: 'roles' })
    this.init = init
    this.now = init.now ?? (() => Date.now())
    this.splitBrain = new SplitBrainWatch({
      selfId: () => this.node.peerId,
      member: (peerId) => this.membership.member(peerId),
      current: () => this.current,
      now: this.now,
      graceMs: () => SPLIT_BRAIN_GRACE_HEARTBEATS * this.interval(),
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
    return canBePrincipal(this.selfCandidate(), this.node.config.maxWeight)
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
    return { ...this.counters, persistFailures: this.writer.failures }
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
      // Never resume as principal from disk: the mesh may have moved on. If it still names us
      // at this term, its heartbeats say so and we adopt that (no new term).
      const principal = loaded.principal === this.node.peerId ? null : loaded.principal
      this.current = {
        term: loaded.term,
        principal,
        weight: principal === null ? 0 : loaded.principalWeight,
        issuedAt: 0,
        since: now,
      }
      this.maxTermSeen = Math.max(this.maxTermSeen, loaded.term)
      this.loadedState = true
      this.log?.info({ term: loaded.term, principal }, 'role state loaded')
    }
    this.startedAt = now
    this.heardAt = undefined
    this.lastOwnWeight = this.node.config.weight
    this.onNode('control', this.onControl)
    this.onNode('verdict', this.onVerdict)
    this.onNode('step.synced', this.onSynced)
    this.onMembership('members.heartbeat', this.onHeartbeat)
    this.onMembership('members.status-changed', this.onStatusChanged)
    this.onMembership('members.weight-changed', this.onWeightChanged)
    this.status = 'started'
    this.publishLocalState()
    this.wakeAt(now + this.deadPeriodMs())
    this.loop()
  }

  /** Stops following the mesh; waits for writes in progress. Harmless twice. */
  async stop(): Promise<void> {
    if (this.status !== 'started') return
    this.status = 'stopped'
    for (const undo of this.detach.splice(0)) undo()
    clearTimeout(this.loopTimer)
    this.loopTimer = undefined
    for (const timer of this.wakeTimers) clearTimeout(timer)
    this.wakeTimers.clear()
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

    const facts = principalFacts(this.tableView(now))
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
      stabiliseMs: this.stabiliseMs(),
      weightChanged: this.weightChangedAt !== undefined,
      preempt: config.preempt,
      uptimeMs: now - this.startedAt,
      freshNode: !this.loadedState,
      sinceLastClaimMs: now - this.lastClaimAt,
      minClaimGapMs: MIN_CLAIM_GAP_HEARTBEATS * this.interval(),
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
      // Something better may have arrived while the file was written.
      if (this.status !== 'started' || compareClaims(next, this.current) <= 0) return
      this.log?.info({ term, reason, weight: next.weight }, 'claiming principal')
      this.adopt(next, reason)
      await this.node.sendControl(
        'role-claim',
        encodeRoleClaim({ term, principal: this.node.peerId, weight: next.weight }),
      )
      this.counters.claimsSent++
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
    if (cause === 'adopted') this.counters.claimsAdopted++
    // The weight change is settled by a claim issued after it (estimates: one interval slack).
    if (
      this.weightChangedAt !== undefined &&
      next.issuedAt >= this.weightChangedAt - this.interval()
    )
      this.weightChangedAt = undefined
    this.switchTo(next, cause)
    if (splitBrain !== undefined) this.reportSplitBrain(splitBrain)
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
    this.log?.info(
      { principal: next.principal, term: next.term, previous: previous.principal, cause },
      'principal changed',
    )
    this.safeDispatchEvent('roles.principal-changed', {
      detail: {
        principal: next.principal,
        term: next.term,
        previous: previous.principal,
        previousTerm: previous.term,
        cause,
      },
    })
    const roles = this.roles
    if (roles.join() !== previousRoles.join())
      this.safeDispatchEvent('roles.changed', { detail: { roles, previous: previousRoles } })
  }

  // ── claims from the mesh ──────────────────────────────────────────────────────────────────

  private consider(incoming: IncomingClaim): void {
    const current = this.current
    if (incoming.term < current.term) {
      this.counters.staleClaims++
      // Only the claimant's own word is a stale claim; a relay is a member running behind.
      if (incoming.kind !== 'relay') {
        this.safeDispatchEvent('roles.stale-claim', {
          detail: {
            from: incoming.from,
            principal: incoming.principal,
            term: incoming.term,
            currentTerm: current.term,
          },
        })
      }
      this.reportSplitBrain(this.splitBrain.onWorse(incoming))
      return
    }
    const order = compareClaims(incoming, current)
    if (order === 0) {
      if (incoming.kind === 'claim') this.principalClaimAt = incoming.at
      return
    }
    if (order < 0) {
      this.reportSplitBrain(this.splitBrain.onWorse(incoming))
      return
    }
    const refusal = refusalOf(incoming, {
      selfId: this.node.peerId,
      selfEligible: this.eligible,
      member: this.membership.member(incoming.principal),
      misbehaving: this.misbehaving(incoming.principal, incoming.at),
      maxWeight: this.node.config.maxWeight,
    })
    if (refusal !== undefined) {
      this.counters.refusedClaims++
      // Terms of live-but-refused candidates still count, so our next claim outranks them;
      // a term from an absurd claim (weight, observer) must not inflate ours.
      if (refusal !== 'weight-above-max' && refusal !== 'observer')
        this.maxTermSeen = Math.max(this.maxTermSeen, incoming.term)
      if (incoming.kind !== 'relay') this.refused(incoming, refusal)
      return
    }
    this.principalClaimAt = incoming.kind === 'claim' ? incoming.at : Number.NEGATIVE_INFINITY
    this.adopt(
      {
        term: incoming.term,
        principal: incoming.principal,
        weight: incoming.weight,
        issuedAt: incoming.issuedAt,
        since: incoming.at,
      },
      'adopted',
    )
  }

  private refused(
    claim: { from: string; principal: string | null; term: number; weight: number },
    reason: ClaimRefusal,
    detail?: string,
  ): void {
    this.log?.debug({ ...claim, reason, detail }, 'claim refused')
    this.safeDispatchEvent('roles.claim-refused', {
      detail: {
        from: claim.from,
        principal: claim.principal,
        term: claim.term,
        weight: claim.weight,
        reason,
        ...(detail !== undefined ? { detail } : {}),
      },
    })
  }

  private reportSplitBrain(detail: SplitBrainDetail | undefined): void {
    if (detail === undefined) return
    this.counters.splitBrains++
    this.log?.warn(detail, 'split brain: two principals were active')
    this.safeDispatchEvent('roles.split-brain', { detail })
  }

  /** Flags a re-election if this weight change changes the outcome (principal-view.ts). */
  private weightChanged(peerId: string, previous: number, now: number): void {
    if (!weightChangeMatters(this.tableView(now), peerId, previous)) return
    this.log?.debug({ peerId, previous }, 'weight change: re-election due')
    this.weightChangedAt = now
  }

  // ── facts ─────────────────────────────────────────────────────────────────────────────────

  private interval(): number {
    return this.node.config.heartbeatIntervalMs
  }

  private deadPeriodMs(): number {
    return this.node.config.deadAfter * this.interval()
  }

  private stabiliseMs(): number {
    return (this.init.stabiliseHeartbeats ?? DEFAULT_STABILISE_HEARTBEATS) * this.interval()
  }

  private misbehaviourPolicy(): MisbehaviourPolicy {
    return {
      threshold: this.init.misbehaviour?.rejects ?? DEFAULT_MISBEHAVIOUR_REJECTS,
      windowMs:
        (this.init.misbehaviour?.windowHeartbeats ?? DEFAULT_MISBEHAVIOUR_WINDOW_HEARTBEATS) *
        this.interval(),
    }
  }

  private misbehaving(peerId: string, now: number): boolean {
    return this.rejects.isMisbehaving(peerId, now, this.misbehaviourPolicy())
  }

  private hasHeardMesh(now: number): boolean {
    if (this.status !== 'started') return false
    if (now >= this.startedAt + this.deadPeriodMs()) return true
    return (
      this.heardAt !== undefined && now >= this.heardAt + HEAR_MESH_HEARTBEATS * this.interval()
    )
  }

  /** This node as the election sees it (observer and weight are checked by canBePrincipal). */
  private selfCandidate(): Candidate {
    const config = this.node.config
    return {
      id: this.node.peerId,
      status: 'alive',
      weight: config.weight,
      eligible: this.localEligible && this.membership.localState.status === 'active',
      observer: config.observer,
    }
  }

  private tableView(now: number): TableView {
    const config = this.node.config
    return {
      members: this.membership.memberView(),
      self: this.selfCandidate(),
      principal: this.current.principal,
      principalWeight: this.current.weight,
      presumeUnheardAlive: now < this.startedAt + this.deadPeriodMs(),
      // A principal heartbeats at its own interval: a claim not followed by one is timed by it.
      principalClaimStatus: statusFor(
        this.principalClaimAt,
        now,
        config.principalHeartbeatIntervalMs ?? this.interval(),
        config.suspectAfter,
        config.deadAfter,
      ),
      misbehaving: (peerId) => this.misbehaving(peerId, now),
      maxWeight: config.maxWeight,
    }
  }

  private rolesFor(claim: HeldClaim): OwnRole[] {
    if (this.node.config.observer) return ['observer']
    return claim.principal !== null && claim.principal === this.node.peerId
      ? ['principal']
      : ['member']
  }

  private persistedState(claim: HeldClaim): PersistedRoleState {
    return {
      version: 1,
      term: claim.term,
      principal: claim.principal,
      principalWeight: claim.weight,
      roles: this.rolesFor(claim),
      savedAt: Date.now(),
    }
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

  /** Evaluates every interval (read live): the time-based rules need no event. */
  private loop(): void {
    if (this.status !== 'started') return
    try {
      this.evaluate()
    } catch (err) {
      this.log?.error({ err }, 'role evaluation')
    }
    this.loopTimer = setTimeout(() => this.loop(), this.interval())
  }

  /** Evaluates at `at` too: the hearing gates open between loop ticks. */
  private wakeAt(at: number): void {
    if (this.status !== 'started') return
    const timer = setTimeout(
      () => {
        this.wakeTimers.delete(timer)
        this.evaluate()
      },
      Math.max(0, Math.ceil(at - this.now())) + 1,
    )
    this.wakeTimers.add(timer)
  }

  private noteHeard(at: number): void {
    if (this.heardAt !== undefined || this.status !== 'started') return
    this.heardAt = at
    this.wakeAt(at + HEAR_MESH_HEARTBEATS * this.interval())
  }

  private readonly onSynced = (event: CustomEvent<{ source: 'peers' | 'local' }>): void => {
    if (event.detail.source === 'peers') this.noteHeard(this.now())
  }

  private readonly onHeartbeat = (event: CustomEvent<MemberHeartbeatDetail>): void => {
    const { peerId, heartbeat, receivedAt, electionChanged } = event.detail
    this.noteHeard(receivedAt)
    const before = this.current
    const maxTermBefore = this.maxTermSeen
    if (heartbeat.principal === null) {
      this.maxTermSeen = Math.max(this.maxTermSeen, heartbeat.term)
    } else {
      this.consider({
        term: heartbeat.term,
        principal: heartbeat.principal,
        weight: heartbeat.principalWeight,
        issuedAt: receivedAt - heartbeat.termAgeMs,
        from: peerId,
        kind: heartbeat.principal === peerId ? 'assertion' : 'relay',
        at: receivedAt,
      })
    }
    // A routine heartbeat (same claim, same election fields) changes no fact the rules read;
    // the time-based rules run on the loop. Skipping it keeps a 100-member mesh linear.
    if (electionChanged || this.current !== before || this.maxTermSeen !== maxTermBefore)
      this.evaluate()
  }

  private readonly onControl = (event: CustomEvent<MeshMessage>): void => {
    const { envelope, receivedAt } = event.detail
    if (envelope.kind !== 'role-claim' || envelope.senderId === this.node.peerId) return
    const from = envelope.senderId
    this.noteHeard(receivedAt)
    const decoded = decodeRoleClaim(envelope.data)
    if (!decoded.ok) {
      this.counters.invalidClaims++
      this.refused({ from, principal: null, term: 0, weight: 0 }, 'invalid', decoded.detail)
      return
    }
    const claim = decoded.value
    if (claim.principal !== from) {
      this.counters.invalidClaims++
      this.refused({ from, ...claim }, 'not-sender')
      return
    }
    this.consider({ ...claim, issuedAt: receivedAt, from, kind: 'claim', at: receivedAt })
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
    if (!this.rejects.record(from, at, this.misbehaviourPolicy())) return
    const isPrincipal = from === this.current.principal
    this.log?.warn({ peerId: from, isPrincipal }, 'peer misbehaving: ineligible in our view')
    this.safeDispatchEvent('roles.misbehaving', { detail: { peerId: from, isPrincipal } })
    this.evaluate()
  }
}
