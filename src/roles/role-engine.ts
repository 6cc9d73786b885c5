/**
 * The claim this node holds and every decision about it: evaluate the rules (claim-rules.ts)
 * over the facts (role-facts.ts), claim, adopt a better claim from the mesh, step down, hand
 * the term over when leaving. RoleManager feeds it events and exposes it; everything here
 * stops when the signal given to `start()` aborts.
 */
import type { Logger } from 'pino'
import { judgeClaim, heldClaimOf, refusalCountsTerm } from './claim-intake.js'
import { encodeRoleClaim } from './claim-codec.js'
import { claimReason, type ClaimReason } from './claim-rules.js'
import type { HeldClaim, IncomingClaim } from './claim-types.js'
import { compareClaims, expectedPrincipal } from './election.js'
import type { PrincipalChangedDetail } from './events.js'
import type { EvaluationSchedule } from './evaluation-schedule.js'
import { ClaimStanding } from './claim-standing.js'
import { candidatesOf, principalFacts, refusalOf, weightChangeMatters } from './principal-view.js'
import type { RoleFacts } from './role-facts.js'
import { persistedStateOf, resumedClaim, rolesFor } from './role-persistence.js'
import type { RoleReporter } from './role-reporter.js'
import type { RoleStateWriter } from './role-state-writer.js'
import type { RoleTiming } from './role-timing.js'
import type { RoleManagerComponents } from './role-types.js'
import type { SplitBrainWatch } from './split-brain-watch.js'
import type { OwnRole, PersistedRoleState } from './state-store.js'

export interface RoleEngineInit {
  components: Pick<RoleManagerComponents, 'identity' | 'liveConfig' | 'control' | 'membership'>
  writer: RoleStateWriter
  timing: RoleTiming
  facts: RoleFacts
  reporter: RoleReporter
  schedule: EvaluationSchedule
  splitBrain: SplitBrainWatch
  now: () => number
  log: Logger | undefined
}

export class RoleEngine {
  current: HeldClaim = { term: 0, principal: null, weight: 0, issuedAt: 0, since: 0 }
  /** Highest term of any claim we may have to outrank (ours, adopted, or live but refused). */
  maxTermSeen = 0
  /** Last role-claim message of the current principal: a claim proves life as a heartbeat does. */
  principalClaimAt = Number.NEGATIVE_INFINITY
  /** Eligible by ROLE advice (`setEligible`). */
  localEligible = true
  private readonly init: RoleEngineInit
  private signal: AbortSignal | undefined
  /** Role state came from the store: this node has been part of the mesh before. */
  private loadedState = false
  /**
   * This node claimed a term in this run. A node deposed by a higher claim made after its own
   * was replaced on purpose (it looked dead or misbehaving to the claimant), not in a formation
   * race: it must not take the role back as a fresh node.
   */
  private claimedThisRun = false
  private lastOwnWeight = 0
  /** A weight change that changes the outcome happened after the current claim. */
  private weightChangedAt: number | undefined
  private lastClaimAt = Number.NEGATIVE_INFINITY
  /** Whether the mesh still follows our claim (issue 12.8). */
  private readonly standing: ClaimStanding
  private claiming = false

  constructor(init: RoleEngineInit) {
    this.init = init
    this.standing = new ClaimStanding({
      selfId: () => this.selfId,
      members: () => init.components.membership.memberView(),
      timing: init.timing,
    })
  }

  private get selfId(): string {
    return this.init.components.identity.peerId
  }

  get active(): boolean {
    return this.signal?.aborted === false
  }

  /** Resumes from the persisted state (never as principal: role-persistence.ts). */
  start(loaded: PersistedRoleState | undefined, signal: AbortSignal): void {
    this.signal = signal
    const now = this.init.now()
    if (loaded !== undefined) {
      this.current = resumedClaim(loaded, this.selfId, now)
      this.maxTermSeen = Math.max(this.maxTermSeen, loaded.term)
      this.loadedState = true
      this.init.log?.info(
        { term: loaded.term, principal: this.current.principal },
        'role state loaded',
      )
    }
    this.lastOwnWeight = this.init.components.liveConfig.config.weight
    this.publishLocalState()
  }

  roles(claim: HeldClaim = this.current): OwnRole[] {
    return rolesFor(claim, this.selfId, this.init.components.liveConfig.config.observer)
  }

  /** Gathers the facts and claims if a rule says so. Cheap; run on every relevant event. */
  evaluate(heardMesh: boolean): void {
    if (!this.active || this.claiming) return
    const now = this.init.now()
    const config = this.init.components.liveConfig.config
    if (config.weight !== this.lastOwnWeight) {
      // setWeight, or a CONFIG advice applied to the node directly.
      const previous = this.lastOwnWeight
      this.lastOwnWeight = config.weight
      this.weightChanged(this.selfId, previous, now)
    }
    const selfEligible = this.init.facts.selfEligible()
    const isPrincipal = this.current.principal === this.selfId
    if (isPrincipal && !selfEligible) this.stepDown(now, 'no longer eligible')
    this.publishLocalState()

    const facts = principalFacts(this.init.facts.tableView(now))
    const principal = this.current.principal
    if (this.weightChangedAt !== undefined && facts.expected === principal)
      this.weightChangedAt = undefined
    const outranked = this.standing.notFollowed(this.current, this.maxTermSeen, now)
    if (outranked && facts.expected !== this.selfId) {
      // Someone else should be principal and the mesh is past our term: let them claim it.
      this.stepDown(now, 'outranked')
      return
    }
    const reason = claimReason({
      heardMesh,
      selfEligible,
      selfExpected: facts.expected === this.selfId,
      principal: principal === null ? 'none' : principal === this.selfId ? 'self' : 'other',
      principalAlive: facts.principalAlive,
      principalEligible: facts.principalEligible,
      principalRanksBelowSelf: facts.principalRanksBelowSelf,
      claimAgeMs: now - this.current.issuedAt,
      stabiliseMs: this.init.timing.stabiliseMs(),
      weightChanged: this.weightChangedAt !== undefined,
      preempt: config.preempt,
      uptimeMs: this.init.facts.uptimeMs(now),
      freshNode: !this.loadedState && !this.claimedThisRun,
      sinceLastClaimMs: now - this.lastClaimAt,
      minClaimGapMs: this.init.timing.minClaimGapMs(),
      outranked,
    })
    if (reason !== undefined) void this.claim(reason)
  }

  /** Routes the verdict on a claim from the mesh (claim-intake.ts) to its consequences. */
  consider(incoming: IncomingClaim): void {
    const { membership, liveConfig } = this.init.components
    const judged = judgeClaim(incoming, this.current, () =>
      refusalOf(incoming, {
        selfId: this.selfId,
        selfEligible: this.init.facts.selfEligible(),
        member: membership.member(incoming.principal),
        misbehaving: this.init.facts.misbehaving(incoming.principal, incoming.at),
        maxWeight: liveConfig.config.maxWeight,
      }),
    )
    const { reporter, splitBrain } = this.init
    switch (judged.verdict) {
      case 'stale':
        reporter.staleClaim(incoming, this.current.term)
        reporter.splitBrain(splitBrain.onWorse(incoming))
        return
      case 'same':
        if (incoming.kind === 'claim') this.noteClaimMessage(incoming.at)
        return
      case 'worse':
        reporter.splitBrain(splitBrain.onWorse(incoming))
        return
      case 'refused':
        if (refusalCountsTerm(judged.refusal))
          this.maxTermSeen = Math.max(this.maxTermSeen, incoming.term)
        reporter.refusedClaim(incoming, judged.refusal)
        return
      case 'adopt':
        this.principalClaimAt = Number.NEGATIVE_INFINITY
        if (incoming.kind === 'claim') this.noteClaimMessage(incoming.at)
        this.adopt(heldClaimOf(incoming), 'adopted')
    }
  }

  /** A term seen in a heartbeat that names no principal still counts for our next claim. */
  noteTerm(term: number): void {
    this.maxTermSeen = Math.max(this.maxTermSeen, term)
  }

  /**
   * Leaving as principal: the term goes to the next heaviest eligible alive member, claimed on
   * its behalf (term + 1), so the leaving heartbeat carries it and every member adopts it on
   * arrival; with no one to take it, this node steps down. Everyone computes the successor
   * alike from the same table, and frames are authenticated, so no one else can hand over.
   */
  handOver(): void {
    if (!this.active || this.current.principal !== this.selfId) return
    const now = this.init.now()
    const view = this.init.facts.tableView(now)
    const successor = expectedPrincipal(
      candidatesOf(view),
      { ...view.self, eligible: false },
      view.maxWeight,
    )
    const member =
      successor === undefined ? undefined : this.init.components.membership.member(successor)
    if (successor === undefined || member === undefined) {
      this.stepDown(now, 'leaving, no successor')
      return
    }
    const term = Math.max(this.current.term, this.maxTermSeen) + 1
    this.init.log?.info({ term, successor }, 'leaving: handing the term over')
    this.init.reporter.counters.handOvers++
    this.switchTo(
      { term, principal: successor, weight: member.weight, issuedAt: now, since: now },
      'handed-over',
    )
  }

  /** Flags a re-election if this weight change changes the outcome (principal-view.ts). */
  weightChanged(peerId: string, previous: number, now: number): void {
    if (!weightChangeMatters(this.init.facts.tableView(now), peerId, previous)) return
    this.init.log?.debug({ peerId, previous }, 'weight change: re-election due')
    this.weightChangedAt = now
  }

  persistedState(claim: HeldClaim): PersistedRoleState {
    return persistedStateOf(claim, this.roles(claim))
  }

  publishLocalState(): void {
    this.init.components.membership.setLocalState({
      term: this.current.term,
      principal: this.current.principal,
      principalWeight: this.current.weight,
      termIssuedAt: this.current.issuedAt,
      roles: this.roles(),
      eligible: this.init.facts.selfEligible(),
    })
  }

  /**
   * Claims the next term: written to disk first (a restart never reuses a term), then
   * adopted, then published.
   */
  private async claim(reason: ClaimReason): Promise<void> {
    this.claiming = true
    const now = this.init.now()
    this.lastClaimAt = now
    const term = Math.max(this.current.term, this.maxTermSeen) + 1
    const weight = this.init.components.liveConfig.config.weight
    this.standing.reset()
    const next: HeldClaim = { term, principal: this.selfId, weight, issuedAt: now, since: now }
    try {
      await this.init.writer.write(this.persistedState(next))
      this.maxTermSeen = Math.max(this.maxTermSeen, term)
      this.claimedThisRun = true
      // Something better may have arrived while the file was written.
      if (!this.active || compareClaims(next, this.current) <= 0) return
      this.init.log?.info({ term, reason, weight }, 'claiming principal')
      this.adopt(next, reason)
      await this.init.components.control.sendControl(
        'role-claim',
        encodeRoleClaim({ term, principal: this.selfId, weight }),
      )
      this.init.reporter.counters.claimsSent++
    } catch (err) {
      this.init.log?.error({ err, term, reason }, 'claim failed')
    } finally {
      this.claiming = false
    }
  }

  private stepDown(now: number, why: string): void {
    this.init.log?.info({ term: this.current.term, why }, 'stepping down')
    this.standing.reset()
    this.switchTo(
      { term: this.current.term, principal: null, weight: 0, issuedAt: now, since: now },
      'stepped-down',
    )
  }

  private adopt(next: HeldClaim, cause: ClaimReason | 'adopted'): void {
    const splitBrain = this.init.splitBrain.onSwitch(this.current, next)
    if (cause === 'adopted') this.init.reporter.counters.claimsAdopted++
    // The weight change is settled by a claim issued after it (estimates: one interval slack).
    if (
      this.weightChangedAt !== undefined &&
      next.issuedAt >= this.weightChangedAt - this.init.timing.interval()
    )
      this.weightChangedAt = undefined
    this.switchTo(next, cause)
    this.init.reporter.splitBrain(splitBrain)
  }

  private switchTo(next: HeldClaim, cause: PrincipalChangedDetail['cause']): void {
    const previous = this.current
    const previousRoles = this.roles()
    this.current = next
    this.maxTermSeen = Math.max(this.maxTermSeen, next.term)
    this.publishLocalState()
    if (previous.principal === next.principal && previous.term === next.term) return
    // Our own claims were written before they were made (claim()); the rest is written now.
    if (cause === 'adopted' || cause === 'stepped-down' || cause === 'handed-over') {
      this.init.writer.write(this.persistedState(next)).catch((err: unknown) => {
        this.init.log?.error({ err }, 'role state not saved')
      })
    }
    this.init.reporter.principalChanged(previous, next, cause)
    this.init.reporter.rolesChanged(this.roles(), previousRoles)
  }

  /**
   * A claim message proves its principal alive until `deadAfter` of its intervals have passed
   * without more; evaluate again then, or a principal that died right after claiming would
   * only be noticed at the next loop (one member interval, possibly long).
   */
  private noteClaimMessage(at: number): void {
    this.principalClaimAt = at
    this.init.schedule.wakeAt(this.init.timing.claimDeadAt(at))
  }
}
