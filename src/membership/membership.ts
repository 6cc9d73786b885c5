/**
 * Membership: publishes this node's heartbeat every `heartbeatIntervalMs` (heartbeat-schedule.ts),
 * records the peers' heartbeats in a bounded member table, and runs the failure detector at the
 * earliest moment a member's status would change. Heartbeats are the truth: a libp2p
 * disconnect changes nothing by itself. A joining node asks its peers for their tables
 * (member-exchange.ts, member-intake.ts); a stopping one says it is leaving (`leave()`).
 */
import { setMaxListeners } from 'node:events'
import { TypedEventEmitter } from 'main-event'
import type { Logger } from 'pino'
import { principalIntervalMs } from '../config/index.js'
import type { ControlFrame, ControlVerdict } from '../node/ports.js'
import { sleep } from '../util/sleep.js'
import { DEFAULT_DEAD_RETENTION_HEARTBEATS, DEFAULT_LEAVE_TIMEOUT_MS } from './constants.js'
import type { MembershipEvents } from './events.js'
import type { DetectorTiming, MemberStatus } from './failure-detector.js'
import { HeartbeatSchedule } from './heartbeat-schedule.js'
import { encodeHeartbeat, type HeartbeatPayload } from './heartbeat.js'
import { MemberExchange } from './member-exchange.js'
import { MemberIntake } from './member-intake.js'
import { MemberTable, memberFieldsOf, type Member } from './member-table.js'
import type {
  LocalState,
  MembershipComponents,
  MembershipInit,
  MembershipStats,
} from './membership-types.js'

const SIGNAL_LISTENERS = 64

export class Membership extends TypedEventEmitter<MembershipEvents> {
  private readonly components: MembershipComponents
  private readonly log: Logger | undefined
  private readonly init: MembershipInit
  private readonly now: () => number
  private readonly table = new MemberTable()
  private readonly intake: MemberIntake
  private readonly schedule: HeartbeatSchedule
  private readonly exchange: MemberExchange | undefined
  private local: LocalState = {
    status: 'active',
    roles: [],
    term: 0,
    principal: null,
    principalWeight: 0,
    termIssuedAt: 0,
    eligible: undefined,
  }
  private readonly sent = { heartbeatsSent: 0, heartbeatSendFailures: 0 }
  private controller: AbortController | undefined
  private sending = false
  private sendAgain = false
  private startedAt_ = 0

  constructor(components: MembershipComponents, init: MembershipInit = {}) {
    super()
    this.components = components
    this.init = init
    this.log = components.logger?.child({ component: 'membership' })
    this.now = init.now ?? (() => Date.now())
    this.intake = new MemberIntake({
      table: this.table,
      events: this,
      selfId: () => components.identity.peerId,
      localStep: () => components.identity.step,
      config: () => components.liveConfig.config,
      timing: () => this.timing(),
      flapping: init.flapping,
      rearm: (deadline) => {
        if (deadline !== undefined && deadline < this.schedule.armedAt) this.armDetector()
      },
      ...(this.log !== undefined ? { log: this.log } : {}),
    })
    this.schedule = new HeartbeatSchedule({
      intervalMs: () => this.ownIntervalMs(),
      maxHoldMs: () => {
        const { heartbeatIntervalMs, deadAfter } = this.components.liveConfig.config
        return heartbeatIntervalMs * deadAfter
      },
      tick: () => this.tick(),
      check: () => this.check(),
      excuse: (ms) => this.table.excusePause(ms, this.now(), this.timing()),
      now: this.now,
      random: init.random ?? Math.random,
    })
    if (components.exchange !== undefined) {
      this.exchange = new MemberExchange(components.exchange, {
        snapshot: () =>
          this.intake.snapshot(this.self(), this.components.identity.step, this.now()),
        onTable: (from, members) => this.intake.importTable(from, members, this.now()),
        timeoutMs: () => components.liveConfig.config.syncTimeout,
        ...(this.log !== undefined ? { log: this.log } : {}),
      })
    }
  }

  get isStarted(): boolean {
    return this.controller !== undefined
  }

  /** Local time of the last start(). */
  get startedAt(): number {
    return this.startedAt_
  }

  async start(): Promise<void> {
    if (this.controller !== undefined) return
    const controller = new AbortController()
    // One listener per event this service follows, all on this signal.
    setMaxListeners(SIGNAL_LISTENERS, controller.signal)
    this.controller = controller
    this.startedAt_ = this.now()
    this.local = {
      ...this.local,
      status: this.local.status === 'leaving' ? 'active' : this.local.status,
    }
    this.components.control.handleControl('heartbeat', this.onHeartbeat, {
      signal: controller.signal,
    })
    this.schedule.start(controller.signal)
    await this.exchange?.start(controller.signal)
  }

  /** Stops heartbeats and checks; harmless twice. The table is kept (a restart resumes it). */
  async stop(): Promise<void> {
    const controller = this.controller
    if (controller === undefined) return
    this.controller = undefined
    controller.abort()
    await this.exchange?.stop()
  }

  /**
   * Leaving (memberlist's Leave): the next heartbeats say `leaving`, which members take as
   * `left` at once, and `members.leaving` lets roles hand the principal's term over first.
   * Sends that heartbeat now and waits for it to go out, `timeoutMs` at most; then stops.
   */
  async leave(timeoutMs = DEFAULT_LEAVE_TIMEOUT_MS): Promise<void> {
    if (this.controller === undefined || this.local.status === 'leaving') return
    this.local = { ...this.local, status: 'leaving' }
    this.safeDispatchEvent('members.leaving', { detail: { at: this.now() } })
    const deadline = new AbortController()
    const sent = this.components.control
      .sendControl('heartbeat', encodeHeartbeat(this.heartbeat()))
      .then(
        () => {
          this.sent.heartbeatsSent++
          return true
        },
        (err: unknown) => {
          this.sent.heartbeatSendFailures++
          this.log?.debug({ err }, 'leaving heartbeat not sent')
          return false
        },
      )
    const out = await Promise.race([sent, sleep(timeoutMs, deadline.signal).then(() => false)])
    deadline.abort()
    this.log?.info({ sent: out }, 'left the mesh')
    await this.stop()
  }

  /** Snapshot of the peers heard from (not this node), copies. */
  members(): Member[] {
    return this.table.list()
  }

  /** The live entries, read-only and not to be kept (see MemberTable.view). */
  memberView(): Iterable<Readonly<Member>> {
    return this.table.view()
  }

  member(peerId: string): Member | undefined {
    return this.table.get(peerId)
  }

  counts(): Record<MemberStatus, number> {
    return this.table.counts()
  }

  /** This node as its heartbeats describe it. */
  self(): Member {
    const now = this.now()
    const heartbeat = this.heartbeat(now)
    return {
      id: this.components.identity.peerId,
      status: 'alive',
      ...memberFieldsOf(heartbeat, this.components.identity.step, now),
      joinedAt: this.startedAt_,
      statusChangedAt: this.startedAt_,
      heartbeats: this.sent.heartbeatsSent,
    }
  }

  get localState(): Readonly<LocalState> {
    return { ...this.local, roles: [...this.local.roles] }
  }

  /**
   * Changes what the next heartbeats say (roles put term and principal here). Becoming or
   * ceasing to be principal changes this node's interval: a heartbeat goes out at once to
   * announce it (peers timing us by the fast one must not find us late).
   */
  setLocalState(changes: Partial<LocalState>): void {
    const intervalBefore = this.ownIntervalMs()
    this.local = { ...this.local, ...changes }
    if (changes.roles !== undefined) this.local.roles = [...changes.roles]
    if (this.isStarted && this.ownIntervalMs() !== intervalBefore) this.schedule.tickSoon()
  }

  /**
   * This node's heartbeat interval now (read live): `principalHeartbeatIntervalMs` while it is
   * principal, `heartbeatIntervalMs` otherwise.
   */
  ownIntervalMs(): number {
    const config = this.components.liveConfig.config
    return this.local.roles.includes('principal')
      ? principalIntervalMs(config)
      : config.heartbeatIntervalMs
  }

  stats(): MembershipStats {
    return {
      ...this.sent,
      ...this.intake.counters,
      tableFailures: this.exchange?.counters.failed ?? 0,
      pauseHolds: this.schedule.pauseStats.holds,
      pauseHoldsReleased: this.schedule.pauseStats.released,
      pauseExcusedMs: this.schedule.pauseStats.excusedMs,
    }
  }

  /** The detector timing, read live from the node's config. */
  timing(): DetectorTiming {
    const { heartbeatIntervalMs, suspectAfter, deadAfter } = this.components.liveConfig.config
    return { heartbeatIntervalMs, suspectAfter, deadAfter }
  }

  /** The heartbeat this node sends now. */
  heartbeat(now = this.now()): HeartbeatPayload {
    const config = this.components.liveConfig.config
    const eligible =
      this.local.status !== 'leaving' &&
      (this.local.eligible ??
        (!config.observer && config.weight <= config.maxWeight && this.local.status === 'active'))
    const heartbeat: HeartbeatPayload = {
      status: this.local.status,
      weight: config.weight,
      roles: this.local.roles,
      version: this.init.version ?? '',
      term: this.local.term,
      principal: this.local.principal,
      principalWeight: this.local.principalWeight,
      termAgeMs: Math.max(0, Math.round(now - this.local.termIssuedAt)),
      observer: config.observer,
      eligible,
      intervalMs: this.ownIntervalMs(),
    }
    if (this.init.metadata !== undefined) heartbeat.metadata = { ...this.init.metadata }
    const peerRecord = this.init.peerRecord?.()
    if (peerRecord !== undefined) heartbeat.peerRecord = peerRecord
    const keyring = this.init.keyring?.()
    if (keyring !== undefined) heartbeat.keyring = keyring
    return heartbeat
  }

  /**
   * Runs the failure detector now. It also runs every interval, and at the earliest moment a
   * member's status would change: a principal heartbeating every 300 ms is found dead in about
   * a second even when our own interval is 20 s.
   */
  check(): ReturnType<MemberIntake['refresh']> {
    const now = this.now()
    const holdUntil = this.schedule.holding(now)
    if (holdUntil !== undefined) {
      // Paused a moment ago: let the queued heartbeats in before anyone is found late.
      if (this.isStarted) this.schedule.arm(holdUntil)
      return []
    }
    const retention =
      (this.init.deadRetentionHeartbeats ?? DEFAULT_DEAD_RETENTION_HEARTBEATS) *
      this.components.liveConfig.config.heartbeatIntervalMs
    const changes = this.intake.refresh(now, retention)
    this.armDetector()
    return changes
  }

  private armDetector(): void {
    if (this.isStarted) this.schedule.arm(this.table.nextDeadline(this.timing()))
  }

  private tick(): void {
    try {
      this.check()
    } catch (err) {
      this.log?.error({ err }, 'failure detector')
    }
    void this.sendHeartbeat()
  }

  private async sendHeartbeat(): Promise<void> {
    // One heartbeat in flight at a time: a node still joining must not queue a backlog. One
    // asked for meanwhile goes out after it (it may announce a new interval).
    if (this.sending) {
      this.sendAgain = true
      return
    }
    this.sending = true
    try {
      await this.components.control.sendControl('heartbeat', encodeHeartbeat(this.heartbeat()))
      this.sent.heartbeatsSent++
    } catch (err) {
      this.sent.heartbeatSendFailures++
      if (this.isStarted) this.log?.debug({ err }, 'heartbeat not sent')
    } finally {
      this.sending = false
    }
    if (this.sendAgain && this.isStarted && this.local.status !== 'leaving') {
      this.sendAgain = false
      await this.sendHeartbeat()
    }
  }

  private readonly onHeartbeat = (frame: ControlFrame): ControlVerdict =>
    this.intake.heartbeat(frame)
}
