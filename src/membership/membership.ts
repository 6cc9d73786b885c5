/**
 * Membership: publishes this node's heartbeat every `heartbeatIntervalMs` (read live, so a
 * CONFIG advice changes it), records the peers' heartbeats in a bounded member table, and runs
 * the failure detector at the earliest moment a member's status would change. Heartbeats are
 * the truth: a libp2p disconnect changes nothing by itself.
 */
import { TypedEventEmitter } from 'main-event'
import type { Logger } from 'pino'
import { principalIntervalMs } from '../config/index.js'
import type { MeshMessage, MeshNode } from '../node/index.js'
import {
  DEFAULT_DEAD_RETENTION_HEARTBEATS,
  DEFAULT_FLAP_MAX_CHANGES,
  DEFAULT_FLAP_WINDOW_HEARTBEATS,
  HEARTBEAT_JITTER,
  OVERFLOW_LOG_INTERVAL_MS,
} from './constants.js'
import type { MembershipEvents } from './events.js'
import { memberIntervalMs, type DetectorTiming, type MemberStatus } from './failure-detector.js'
import { FlapTracker, type FlapPolicy } from './flapping.js'
import {
  decodeHeartbeat,
  encodeHeartbeat,
  type ActivityStatus,
  type HeartbeatPayload,
} from './heartbeat.js'
import { MemberTable, memberFieldsOf, type Member, type StatusChange } from './member-table.js'

/** What Membership uses of a MeshNode; tests may pass a stub. */
export type MembershipNode = Pick<
  MeshNode,
  'peerId' | 'step' | 'config' | 'sendControl' | 'addEventListener' | 'removeEventListener'
>

export interface MembershipComponents {
  node: MembershipNode
  logger?: Logger
}

export interface MembershipInit {
  /** Software version announced in heartbeats (the daemon passes package.json's). */
  version?: string
  /** Operator labels announced in heartbeats (e.g. `{ nodeId }`). */
  metadata?: Record<string, string>
  /** Flapping policy: more than `maxChanges` status changes within `windowHeartbeats`. */
  flapping?: { maxChanges?: number; windowHeartbeats?: number }
  /** Heartbeats a dead member stays listed. */
  deadRetentionHeartbeats?: number
  /** Clock, for tests. */
  now?: () => number
  /** Random source in [0, 1) for the heartbeat jitter; tests pass `() => 0` for exact ticks. */
  random?: () => number
  /**
   * This node's signed peer record (base64), put in every heartbeat so members learn our
   * addresses (src/peers seals it). Received ones reach src/peers by `members.heartbeat`.
   */
  peerRecord?: () => string | undefined
}

/** What roles (and later the API) put into the outgoing heartbeats. */
export interface LocalState {
  status: ActivityStatus
  roles: string[]
  term: number
  principal: string | null
  principalWeight: number
  /**
   * Local time the claim of `term` was issued, as best known. 0 when unknown (a claim loaded
   * from disk): it then reads as very old, i.e. settled, never as a fresh claim.
   */
  termIssuedAt: number
  /** Whether this node may become principal; undefined: derived from config alone. */
  eligible: boolean | undefined
}

export interface MembershipStats {
  heartbeatsSent: number
  heartbeatsReceived: number
  heartbeatSendFailures: number
  invalidHeartbeats: number
  /** New members refused because the table was full of live members. */
  overflow: number
}

export class Membership extends TypedEventEmitter<MembershipEvents> {
  private readonly node: MembershipNode
  private readonly log: Logger | undefined
  private readonly init: MembershipInit
  private readonly now: () => number
  private readonly table = new MemberTable()
  private readonly flaps = new FlapTracker()
  private local: LocalState = {
    status: 'active',
    roles: [],
    term: 0,
    principal: null,
    principalWeight: 0,
    termIssuedAt: 0,
    eligible: undefined,
  }
  private readonly counters: MembershipStats = {
    heartbeatsSent: 0,
    heartbeatsReceived: 0,
    heartbeatSendFailures: 0,
    invalidHeartbeats: 0,
    overflow: 0,
  }
  private started = false
  private loopTimer: ReturnType<typeof setTimeout> | undefined
  /** The failure detector's next run, at the earliest member deadline (see armDetector). */
  private detectorTimer: ReturnType<typeof setTimeout> | undefined
  private detectorAt = Number.POSITIVE_INFINITY
  private sending = false
  private sendAgain = false
  /** Ticks since start (the second one is placed at random: see nextTickInMs). */
  private ticks = 0
  private lastOverflowLog = 0
  private startedAt_ = 0

  constructor(components: MembershipComponents & MembershipInit) {
    super()
    const { node, logger, ...init } = components
    this.node = node
    this.log = logger?.child({ component: 'membership' })
    this.init = init
    this.now = init.now ?? (() => Date.now())
  }

  get isStarted(): boolean {
    return this.started
  }

  /** Local time of the last start(). */
  get startedAt(): number {
    return this.startedAt_
  }

  start(): void {
    if (this.started) return
    this.started = true
    this.ticks = 0
    this.startedAt_ = this.now()
    this.node.addEventListener('control', this.onControl)
    this.tick()
  }

  /** Stops heartbeats and checks; harmless twice. The table is kept (a restart resumes it). */
  stop(): void {
    if (!this.started) return
    this.started = false
    this.node.removeEventListener('control', this.onControl)
    clearTimeout(this.loopTimer)
    this.loopTimer = undefined
    clearTimeout(this.detectorTimer)
    this.detectorTimer = undefined
    this.detectorAt = Number.POSITIVE_INFINITY
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
      id: this.node.peerId,
      status: 'alive',
      ...memberFieldsOf(heartbeat, this.node.step, now),
      joinedAt: this.startedAt_,
      statusChangedAt: this.startedAt_,
      heartbeats: this.counters.heartbeatsSent,
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
    if (this.started && this.ownIntervalMs() !== intervalBefore) this.restartLoopSoon()
  }

  /**
   * This node's heartbeat interval now (read live): `principalHeartbeatIntervalMs` while it is
   * principal, `heartbeatIntervalMs` otherwise.
   */
  ownIntervalMs(): number {
    const config = this.node.config
    return this.local.roles.includes('principal')
      ? principalIntervalMs(config)
      : config.heartbeatIntervalMs
  }

  stats(): MembershipStats {
    return { ...this.counters }
  }

  /** The detector timing, read live from the node's config. */
  timing(): DetectorTiming {
    const { heartbeatIntervalMs, suspectAfter, deadAfter } = this.node.config
    return { heartbeatIntervalMs, suspectAfter, deadAfter }
  }

  /** The heartbeat this node sends now. */
  heartbeat(now = this.now()): HeartbeatPayload {
    const config = this.node.config
    const eligible =
      this.local.eligible ??
      (!config.observer && config.weight <= config.maxWeight && this.local.status === 'active')
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
    return heartbeat
  }

  /**
   * Runs the failure detector now. It also runs every interval, and at the earliest moment a
   * member's status would change: a principal heartbeating every 300 ms is found dead in about
   * a second even when our own interval is 20 s.
   */
  check(): StatusChange[] {
    const now = this.now()
    const changes = this.table.refresh(now, this.timing())
    for (const change of changes) this.statusChanged(change, now)
    const retention =
      (this.init.deadRetentionHeartbeats ?? DEFAULT_DEAD_RETENTION_HEARTBEATS) *
      this.node.config.heartbeatIntervalMs
    for (const peerId of this.table.reap(now, retention)) this.removed(peerId)
    this.armDetector()
    return changes
  }

  /** Sets the detector's timer to the earliest member deadline (1 ms past it). */
  private armDetector(): void {
    if (!this.started) return
    const at = this.table.nextDeadline(this.timing())
    if (at === this.detectorAt) return
    clearTimeout(this.detectorTimer)
    this.detectorTimer = undefined
    this.detectorAt = at ?? Number.POSITIVE_INFINITY
    if (at === undefined) return
    this.detectorTimer = setTimeout(
      () => {
        this.detectorTimer = undefined
        this.detectorAt = Number.POSITIVE_INFINITY
        this.check()
      },
      Math.max(0, Math.ceil(at - this.now())) + 1,
    )
  }

  private tick(): void {
    if (!this.started) return
    this.ticks++
    try {
      this.check()
    } catch (err) {
      this.log?.error({ err }, 'failure detector')
    }
    void this.sendHeartbeat()
    this.loopTimer = setTimeout(() => this.tick(), this.nextTickInMs())
  }

  /**
   * The interval, up to `HEARTBEAT_JITTER` of it earlier (never later: the failure detector
   * counts from the interval); the tick after the first (the joining heartbeat) anywhere within
   * the interval. Nodes started together then heartbeat at spread phases instead of in one
   * burst every interval, which a 100-node simulation on one core feels.
   */
  private nextTickInMs(): number {
    const random = this.init.random ?? Math.random
    const early = this.ticks === 1 ? 1 : HEARTBEAT_JITTER
    return this.ownIntervalMs() * (1 - early * random())
  }

  /** Ticks on the next turn of the event loop (not inside the caller's handler), then on. */
  private restartLoopSoon(): void {
    clearTimeout(this.loopTimer)
    this.loopTimer = setTimeout(() => this.tick(), 0)
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
      await this.node.sendControl('heartbeat', encodeHeartbeat(this.heartbeat()))
      this.counters.heartbeatsSent++
    } catch (err) {
      this.counters.heartbeatSendFailures++
      if (this.started) this.log?.debug({ err }, 'heartbeat not sent')
    } finally {
      this.sending = false
    }
    if (this.sendAgain && this.started) {
      this.sendAgain = false
      await this.sendHeartbeat()
    }
  }

  private readonly onControl = (event: CustomEvent<MeshMessage>): void => {
    const { envelope, receivedAt } = event.detail
    if (envelope.kind !== 'heartbeat' || envelope.senderId === this.node.peerId) return
    const peerId = envelope.senderId
    const decoded = decodeHeartbeat(envelope.data)
    if (!decoded.ok) {
      this.counters.invalidHeartbeats++
      this.log?.debug({ peerId, detail: decoded.detail }, 'invalid heartbeat')
      return
    }
    this.counters.heartbeatsReceived++
    const heartbeat = decoded.value
    const capacity = Math.max(1, this.node.config.maxNodes - 1)
    const result = this.table.observe(peerId, heartbeat, envelope.globalStep, receivedAt, capacity)
    if (!result.accepted) {
      this.counters.overflow++
      if (receivedAt - this.lastOverflowLog >= OVERFLOW_LOG_INTERVAL_MS) {
        this.lastOverflowLog = receivedAt
        this.log?.warn(
          { peerId, capacity, refused: this.counters.overflow },
          'member table full (maxNodes): member not tracked',
        )
      }
      this.safeDispatchEvent('members.overflow', { detail: { peerId, capacity } })
      return
    }
    const { member } = result
    if (result.evicted !== undefined) this.removed(result.evicted)
    // A heartbeat only moves its sender's deadline later, unless the sender is new or now
    // announces a shorter interval: then the detector may have to run sooner.
    const deadline = this.table.deadlineOf(peerId, this.timing())
    if (deadline !== undefined && deadline < this.detectorAt) this.armDetector()
    if (result.joined) {
      this.log?.debug({ peerId }, 'member joined')
      this.safeDispatchEvent('members.joined', { detail: { peerId, member } })
    }
    if (result.weightChange !== undefined) {
      this.safeDispatchEvent('members.weight-changed', {
        detail: { peerId, weight: member.weight, previous: result.weightChange.previous },
      })
    }
    if (result.change !== undefined) this.statusChanged(result.change, receivedAt)
    this.safeDispatchEvent('members.heartbeat', {
      detail: {
        peerId,
        heartbeat,
        step: envelope.globalStep,
        member,
        receivedAt,
        electionChanged: result.electionChanged,
      },
    })
  }

  private statusChanged(change: StatusChange, now: number): void {
    const member = this.table.get(change.peerId)
    if (member === undefined) return
    this.log?.debug(change, 'member status changed')
    this.safeDispatchEvent('members.status-changed', { detail: { ...change, member } })
    const report = this.flaps.record(change.peerId, now, this.flapPolicy(member.intervalMs))
    if (report !== undefined) {
      this.log?.warn(report, 'member flapping')
      this.safeDispatchEvent('members.flapping', { detail: report })
    }
  }

  private removed(peerId: string): void {
    this.flaps.forget(peerId)
    this.safeDispatchEvent('members.removed', { detail: { peerId } })
  }

  /** The window counts the member's own heartbeats: a 300 ms principal's 30 are 9 s, not 30. */
  private flapPolicy(announcedIntervalMs: number | null): FlapPolicy {
    const interval = memberIntervalMs(announcedIntervalMs, this.node.config.heartbeatIntervalMs)
    return {
      maxChanges: this.init.flapping?.maxChanges ?? DEFAULT_FLAP_MAX_CHANGES,
      windowMs: (this.init.flapping?.windowHeartbeats ?? DEFAULT_FLAP_WINDOW_HEARTBEATS) * interval,
    }
  }
}
