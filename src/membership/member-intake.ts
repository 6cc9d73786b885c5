/**
 * What comes into the member table and what it tells the world: heartbeats (decoded and
 * checked by the control handler, with its verdict), the tables peers answer with (fast
 * joining), and the failure detector's changes; each with its event, log line and counter.
 */
import type { TypedEventTarget } from 'main-event'
import type { Logger } from 'pino'
import type { MeshConfig } from '../config/index.js'
import type { ControlFrame, ControlVerdict } from '../node/ports.js'
import {
  DEFAULT_FLAP_MAX_CHANGES,
  DEFAULT_FLAP_WINDOW_HEARTBEATS,
  MEMBER_TABLE_MAX_BYTES,
  OVERFLOW_LOG_INTERVAL_MS,
} from './constants.js'
import type { MembershipEvents } from './events.js'
import { isPresent, memberIntervalMs, statusFor, type DetectorTiming } from './failure-detector.js'
import { FlapTracker, type FlapPolicy } from './flapping.js'
import { decodeHeartbeat, type HeartbeatPayload } from './heartbeat.js'
import { encodeMemberTable } from './member-exchange.js'
import type {
  Member,
  MemberTable,
  ObserveResult,
  ReportedMember,
  StatusChange,
} from './member-table.js'

export interface MemberIntakeInit {
  table: MemberTable
  events: Pick<TypedEventTarget<MembershipEvents>, 'safeDispatchEvent'>
  selfId: () => string
  /** This node's global step now: a heartbeat's own step tells how old it is at least. */
  localStep: () => number
  config: () => Readonly<MeshConfig>
  timing: () => DetectorTiming
  flapping: { maxChanges?: number; windowHeartbeats?: number } | undefined
  /** A member's deadline may now come before the detector's timer. */
  rearm: (deadline: number | undefined) => void
  log?: Logger
}

export class MemberIntake {
  readonly counters = {
    heartbeatsReceived: 0,
    invalidHeartbeats: 0,
    overflow: 0,
    tablesImported: 0,
    membersImported: 0,
    /** Heartbeats of dead members that were already too old to prove them alive. */
    lateHeartbeats: 0,
  }

  private readonly init: MemberIntakeInit
  private readonly flaps = new FlapTracker()
  private lastOverflowLog = 0

  constructor(init: MemberIntakeInit) {
    this.init = init
  }

  /** A heartbeat frame: malformed ones are rejected (not forwarded, scored against the signer). */
  heartbeat(frame: ControlFrame): ControlVerdict {
    const { envelope, receivedAt } = frame
    const peerId = envelope.senderId
    if (peerId === this.init.selfId()) return { verdict: 'accept' }
    const decoded = decodeHeartbeat(envelope.data)
    if (!decoded.ok) {
      this.counters.invalidHeartbeats++
      this.init.log?.debug({ peerId, detail: decoded.detail }, 'invalid heartbeat')
      return { verdict: 'reject', code: 'MALFORMED', detail: decoded.detail }
    }
    this.counters.heartbeatsReceived++
    if (this.tooLateToRevive(peerId, decoded.value, envelope.globalStep, receivedAt)) {
      this.counters.lateHeartbeats++
      return { verdict: 'accept' }
    }
    const result = this.init.table.observe(
      peerId,
      decoded.value,
      envelope.globalStep,
      receivedAt,
      this.capacity(),
      envelope.seq,
    )
    this.recorded(peerId, decoded.value, envelope.globalStep, receivedAt, result, {
      heardAt: receivedAt,
      sentAt: envelope.timestamp,
    })
    return { verdict: 'accept' }
  }

  /**
   * A dead member's heartbeat that arrives late (this node's backlog after a pause, a slow
   * path) proves nothing of now: its step, which is authenticated, says it was sent at least
   * (steps behind − 1) step intervals ago. When it was dead already by then, it stays dead;
   * a member that really came back heartbeats at the current step. The sender's timestamp is
   * not trusted here.
   */
  private tooLateToRevive(
    peerId: string,
    heartbeat: HeartbeatPayload,
    step: number,
    receivedAt: number,
  ): boolean {
    const member = this.init.table.get(peerId)
    if (member?.status !== 'dead') return false
    const stepsBehind = this.init.localStep() - step
    if (stepsBehind < 2) return false
    const sentBy = receivedAt - (stepsBehind - 1) * this.init.config().stepIntervalMs
    const timing = this.init.timing()
    const interval = memberIntervalMs(heartbeat.intervalMs ?? null, timing.heartbeatIntervalMs)
    return statusFor(sentBy, receivedAt, interval, timing.suspectAfter, timing.deadAfter) === 'dead'
  }

  /**
   * A peer's table (its own entry first): each member dated by the age the peer reported, so
   * one that is not alive does not look so for long; the failure detector judges it. The
   * peer's own entry is as fresh as a heartbeat and goes to roles as one.
   */
  importTable(from: string, members: readonly ReportedMember[], now: number): void {
    this.counters.tablesImported++
    const selfId = this.init.selfId()
    let imported = 0
    let maxTerm = 0
    for (const reported of members) {
      if (reported.id === selfId) continue
      maxTerm = Math.max(maxTerm, reported.heartbeat.term)
      // Only the peer speaks for itself at age 0; others' entries are at least its age.
      const own = reported.id === from
      const entry = own ? { ...reported, ageMs: 0 } : reported
      const result = this.init.table.adopt(entry, now, this.capacity(), this.init.timing())
      if (result === undefined) continue
      if (result.accepted && result.joined) imported++
      // The peer's own entry is its heartbeat of now; the others are hearsay, not heartbeats
      // (their step and claim are as old as the reporter's copy).
      const heard = own ? { heardAt: now, sentAt: now } : undefined
      this.recorded(entry.id, entry.heartbeat, entry.step, now - entry.ageMs, result, heard)
    }
    this.counters.membersImported += imported
    this.init.log?.debug({ from, members: members.length, imported }, 'member table imported')
    this.init.events.safeDispatchEvent('members.table', {
      detail: { from, at: now, members: members.length, imported, maxTerm },
    })
  }

  /** This node's answer to a table request: itself, then the members present (bounded). */
  snapshot(self: Member, selfStep: number, now: number): ReportedMember[] {
    const members: ReportedMember[] = [
      { id: self.id, ageMs: 0, step: selfStep, heartbeat: heartbeatOf(self, now) },
    ]
    for (const member of this.init.table.view()) {
      if (!isPresent(member.status)) continue
      const ageMs = Math.max(0, Math.round(now - member.lastSeen))
      members.push({ id: member.id, ageMs, step: member.step, heartbeat: heartbeatOf(member, now) })
    }
    // Freshest first, so that trimming to the byte bound keeps the ones that matter most.
    members.sort((a, b) => a.ageMs - b.ageMs)
    while (members.length > 1 && encodeMemberTable(members).length > MEMBER_TABLE_MAX_BYTES)
      members.length = Math.floor(members.length / 2)
    return members
  }

  /** The failure detector's changes and the members dropped after `retentionMs`. */
  refresh(now: number, retentionMs: number): StatusChange[] {
    const changes = this.init.table.refresh(now, this.init.timing())
    for (const change of changes) this.statusChanged(change, now)
    for (const peerId of this.init.table.reap(now, retentionMs)) this.removed(peerId)
    return changes
  }

  private recorded(
    peerId: string,
    heartbeat: HeartbeatPayload,
    step: number,
    receivedAt: number,
    result: ObserveResult,
    /** Set for a heartbeat (or a peer speaking for itself): raises `members.heartbeat`. */
    heard: { heardAt: number; sentAt: number } | undefined,
  ): void {
    const { events, log } = this.init
    if (!result.accepted) {
      if (result.stale === true) return
      this.counters.overflow++
      const capacity = this.capacity()
      if (receivedAt - this.lastOverflowLog >= OVERFLOW_LOG_INTERVAL_MS) {
        this.lastOverflowLog = receivedAt
        log?.warn(
          { peerId, capacity, refused: this.counters.overflow },
          'member table full (maxNodes): member not tracked',
        )
      }
      events.safeDispatchEvent('members.overflow', { detail: { peerId, capacity } })
      return
    }
    const { member } = result
    if (result.evicted !== undefined) this.removed(result.evicted)
    // A heartbeat only moves its sender's deadline later, unless the sender is new or now
    // announces a shorter interval: then the detector may have to run sooner.
    this.init.rearm(this.init.table.deadlineOf(peerId, this.init.timing()))
    if (result.joined) {
      log?.debug({ peerId }, 'member joined')
      events.safeDispatchEvent('members.joined', { detail: { peerId, member } })
    }
    if (result.weightChange !== undefined) {
      events.safeDispatchEvent('members.weight-changed', {
        detail: { peerId, weight: member.weight, previous: result.weightChange.previous },
      })
    }
    const detail =
      heard === undefined
        ? undefined
        : {
            peerId,
            heartbeat,
            step,
            member,
            receivedAt: heard.heardAt,
            sentAt: heard.sentAt,
            electionChanged: result.electionChanged,
          }
    // A leaving heartbeat may hand the principal's term over: roles take the claim before
    // they see the member gone, so no one claims in between.
    if (detail !== undefined && member.status === 'left')
      events.safeDispatchEvent('members.heartbeat', { detail })
    if (result.change !== undefined) this.statusChanged(result.change, receivedAt)
    if (detail !== undefined && member.status !== 'left')
      events.safeDispatchEvent('members.heartbeat', { detail })
  }

  private statusChanged(change: StatusChange, now: number): void {
    const member = this.init.table.get(change.peerId)
    if (member === undefined) return
    this.init.log?.debug(change, 'member status changed')
    this.init.events.safeDispatchEvent('members.status-changed', { detail: { ...change, member } })
    const report = this.flaps.record(change.peerId, now, this.flapPolicy(member.intervalMs))
    if (report !== undefined) {
      this.init.log?.warn(report, 'member flapping')
      this.init.events.safeDispatchEvent('members.flapping', { detail: report })
    }
  }

  private removed(peerId: string): void {
    this.flaps.forget(peerId)
    this.init.events.safeDispatchEvent('members.removed', { detail: { peerId } })
  }

  private capacity(): number {
    return Math.max(1, this.init.config().maxNodes - 1)
  }

  /** The window counts the member's own heartbeats: a 300 ms principal's 30 are 9 s, not 30. */
  private flapPolicy(announcedIntervalMs: number | null): FlapPolicy {
    const interval = memberIntervalMs(announcedIntervalMs, this.init.config().heartbeatIntervalMs)
    const flapping = this.init.flapping
    return {
      maxChanges: flapping?.maxChanges ?? DEFAULT_FLAP_MAX_CHANGES,
      windowMs: (flapping?.windowHeartbeats ?? DEFAULT_FLAP_WINDOW_HEARTBEATS) * interval,
    }
  }
}

/** A member's last heartbeat as it said it, its claim's age counted to `now`. */
function heartbeatOf(member: Member, now: number): HeartbeatPayload {
  const heartbeat: HeartbeatPayload = {
    status: member.activity,
    weight: member.weight,
    roles: [...member.roles],
    version: member.version,
    term: member.term,
    principal: member.principal,
    principalWeight: member.principalWeight,
    termAgeMs: Math.max(0, Math.round(member.termAgeMs + (now - member.lastSeen))),
    observer: member.observer,
    eligible: member.eligible,
  }
  if (member.intervalMs !== null) heartbeat.intervalMs = member.intervalMs
  if (Object.keys(member.metadata).length > 0) heartbeat.metadata = { ...member.metadata }
  return heartbeat
}
