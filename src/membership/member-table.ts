/**
 * The member table: one entry per peer heard from (the seed's Actor fields plus what the
 * heartbeat says about terms and principals), bounded by a capacity. No timers and no I/O: the
 * caller passes the time, so the table is tested with plain tables of inputs.
 */
import {
  isPresent,
  memberIntervalMs,
  statusDeadlines,
  statusFor,
  type DetectorTiming,
  type MemberStatus,
} from './failure-detector.js'
import type { ActivityStatus, HeartbeatPayload } from './heartbeat.js'

/** What a member's last heartbeat said, as it said it. */
type HeartbeatFields = Pick<
  HeartbeatPayload,
  | 'weight'
  | 'roles'
  | 'version'
  | 'term'
  | 'principal'
  | 'principalWeight'
  | 'termAgeMs'
  | 'observer'
  | 'eligible'
>

export interface Member extends HeartbeatFields {
  id: string
  status: MemberStatus
  /** Local time (ms) of its last heartbeat. */
  lastSeen: number
  metadata: Record<string, string>
  /** Its global step (the envelope's) in its last heartbeat. */
  step: number
  /** The `status` field of its heartbeat. */
  activity: ActivityStatus
  /** The heartbeat interval it announced (ms); null if it announced none (an older peer). */
  intervalMs: number | null
  joinedAt: number
  statusChangedAt: number
  heartbeats: number
}

export interface StatusChange {
  peerId: string
  status: MemberStatus
  previous: MemberStatus
}

/** A member as another peer's table reported it (the members exchange, member-exchange.ts). */
export interface ReportedMember {
  id: string
  /** How long ago (ms, by the reporter's clock) the reporter last heard it. */
  ageMs: number
  step: number
  heartbeat: HeartbeatPayload
}

export type ObserveResult =
  | {
      accepted: true
      member: Member
      joined: boolean
      /** Set when the heartbeat refuted a suspect or dead status. */
      change?: StatusChange
      /** Set when the weight differs from its previous heartbeat. */
      weightChange?: { previous: number }
      /**
       * The heartbeat changed what an election reads (weight, eligibility, activity, observer):
       * always true for a new member. Lets roles skip re-evaluating on routine heartbeats.
       */
      electionChanged: boolean
      /** A dead member dropped to make room. */
      evicted?: string
    }
  /** stale: an older heartbeat of a member that has left since. Otherwise the table is full. */
  | { accepted: false; stale?: true }

export class MemberTable {
  private readonly entries = new Map<string, Member>()
  /**
   * Sequence number of each `left` member's leaving heartbeat: an older heartbeat of it, late
   * through gossip, must not bring it back (a restart's are higher: they start from the clock).
   */
  private readonly leftSeq = new Map<string, number>()
  /**
   * Time this node could not listen (a pause, pause-hold.ts) since each member's last
   * heartbeat: not counted as the member's silence. Cleared by its next heartbeat.
   */
  private readonly pauseCredit = new Map<string, number>()

  get size(): number {
    return this.entries.size
  }

  get(peerId: string): Member | undefined {
    const member = this.entries.get(peerId)
    return member === undefined ? undefined : copy(member)
  }

  has(peerId: string): boolean {
    return this.entries.has(peerId)
  }

  list(): Member[] {
    return [...this.entries.values()].map(copy)
  }

  /**
   * The live entries, not copies: for hot paths that only read (an election over a hundred
   * members on every event). Do not keep them or change them.
   */
  view(): Iterable<Readonly<Member>> {
    return this.entries.values()
  }

  counts(): Record<MemberStatus, number> {
    const counts = { alive: 0, suspect: 0, dead: 0, left: 0 }
    for (const member of this.entries.values()) counts[member.status]++
    return counts
  }

  /**
   * Records a heartbeat. A new member needs room: when the table holds `capacity` members the
   * dead (or left) one heard from longest ago is dropped; with none, the newcomer is refused.
   * A heartbeat with status `leaving` marks its sender `left` at once; `seq` (the envelope's)
   * keeps an older heartbeat arriving after it from undoing that.
   */
  observe(
    peerId: string,
    heartbeat: HeartbeatPayload,
    step: number,
    now: number,
    capacity: number,
    seq?: number,
  ): ObserveResult {
    const existing = this.entries.get(peerId)
    const leaving = heartbeat.status === 'leaving'
    const leftAt = this.leftSeq.get(peerId)
    if (!leaving && leftAt !== undefined && seq !== undefined && seq <= leftAt)
      return { accepted: false, stale: true }
    if (leaving && seq !== undefined) this.leftSeq.set(peerId, seq)
    else if (!leaving) this.leftSeq.delete(peerId)
    const status: MemberStatus = leaving ? 'left' : 'alive'
    if (existing === undefined) {
      let evicted: string | undefined
      if (this.entries.size >= capacity) {
        evicted = this.oldestDead()
        if (evicted === undefined) return { accepted: false }
        this.delete(evicted)
      }
      const member: Member = {
        id: peerId,
        status,
        ...memberFieldsOf(heartbeat, step, now),
        joinedAt: now,
        statusChangedAt: now,
        heartbeats: 1,
      }
      this.entries.set(peerId, member)
      return {
        accepted: true,
        member: copy(member),
        joined: true,
        electionChanged: true,
        ...(evicted !== undefined ? { evicted } : {}),
      }
    }
    const previousStatus = existing.status
    const previousWeight = existing.weight
    const electionChanged =
      existing.weight !== heartbeat.weight ||
      existing.eligible !== heartbeat.eligible ||
      existing.activity !== heartbeat.status ||
      existing.observer !== heartbeat.observer
    Object.assign(existing, memberFieldsOf(heartbeat, step, now))
    this.pauseCredit.delete(peerId)
    existing.heartbeats++
    let change: StatusChange | undefined
    if (previousStatus !== status) {
      existing.status = status
      existing.statusChangedAt = now
      change = { peerId, status, previous: previousStatus }
    }
    return {
      accepted: true,
      member: copy(existing),
      joined: false,
      electionChanged,
      ...(change !== undefined ? { change } : {}),
      ...(previousWeight !== existing.weight ? { weightChange: { previous: previousWeight } } : {}),
    }
  }

  /**
   * This node could not listen for `pauseMs` (up to `now`): the time is not counted as the
   * silence of members still present, up to one dead period each (a process late all the time
   * still judges, one dead period late at worst).
   */
  excusePause(pauseMs: number, now: number, timing: DetectorTiming): void {
    if (!(pauseMs > 0)) return
    for (const member of this.entries.values()) {
      if (!isPresent(member.status)) continue
      const interval = memberIntervalMs(member.intervalMs, timing.heartbeatIntervalMs)
      const limit = Math.min(
        now - member.lastSeen,
        interval * Math.max(timing.deadAfter, timing.suspectAfter),
      )
      const credit = Math.min(limit, (this.pauseCredit.get(member.id) ?? 0) + pauseMs)
      if (credit > 0) this.pauseCredit.set(member.id, credit)
    }
  }

  /** Runs the failure detector over every member; returns the changes it made. */
  refresh(now: number, timing: DetectorTiming): StatusChange[] {
    const changes: StatusChange[] = []
    for (const member of this.entries.values()) {
      // Gone on purpose: only its own heartbeat changes that.
      if (member.status === 'left') continue
      const status = statusFor(
        this.silentSince(member),
        now,
        memberIntervalMs(member.intervalMs, timing.heartbeatIntervalMs),
        timing.suspectAfter,
        timing.deadAfter,
      )
      if (status === member.status) continue
      // Only a heartbeat brings a member back: a clock step backwards must not.
      if (status === 'alive' || (status === 'suspect' && member.status === 'dead')) continue
      changes.push({ peerId: member.id, status, previous: member.status })
      member.status = status
      member.statusChangedAt = now
    }
    return changes
  }

  /**
   * The earliest moment a member's status would change if nothing more is heard (an alive one
   * turning suspect, a suspect one dead), each by its own interval; undefined if none can.
   */
  nextDeadline(timing: DetectorTiming): number | undefined {
    let earliest: number | undefined
    for (const member of this.entries.values()) {
      const at = deadlineOf(member, this.silentSince(member), timing)
      if (at !== undefined && (earliest === undefined || at < earliest)) earliest = at
    }
    return earliest
  }

  /** `nextDeadline` of one member. */
  deadlineOf(peerId: string, timing: DetectorTiming): number | undefined {
    const member = this.entries.get(peerId)
    return member === undefined ? undefined : deadlineOf(member, this.silentSince(member), timing)
  }

  /** Drops members dead (or left) and unheard for `retentionMs`; returns their ids. */
  reap(now: number, retentionMs: number): string[] {
    const removed: string[] = []
    for (const member of this.entries.values()) {
      if (!isPresent(member.status) && now - member.lastSeen >= retentionMs) removed.push(member.id)
    }
    for (const id of removed) this.delete(id)
    return removed
  }

  /**
   * Takes in a member reported by a peer's table (the members exchange): dated by the age the
   * peer reported, so the failure detector judges it like any other; it never replaces what we
   * heard more recently, and a member the reporter heard too long ago is not taken at all.
   * Returns the result as `observe` would, or undefined when nothing changed.
   */
  adopt(
    reported: ReportedMember,
    now: number,
    capacity: number,
    timing: DetectorTiming,
  ): ObserveResult | undefined {
    const lastSeen = now - Math.max(0, reported.ageMs)
    const existing = this.entries.get(reported.id)
    if (existing !== undefined && existing.lastSeen >= lastSeen) return undefined
    if (existing?.status === 'left') return undefined
    const interval = memberIntervalMs(
      reported.heartbeat.intervalMs ?? null,
      timing.heartbeatIntervalMs,
    )
    const judged = statusFor(lastSeen, now, interval, timing.suspectAfter, timing.deadAfter)
    if (judged === 'dead' || reported.heartbeat.status === 'leaving') return undefined
    const result = this.observe(reported.id, reported.heartbeat, reported.step, now, capacity)
    const member = this.entries.get(reported.id)
    if (!result.accepted || member === undefined) return result
    member.lastSeen = lastSeen
    this.pauseCredit.delete(reported.id)
    if (result.joined) member.joinedAt = lastSeen
    if (judged === 'suspect') {
      // Heard a while ago by the reporter: suspect already.
      const previous = result.change?.previous ?? (result.joined ? 'suspect' : member.status)
      member.status = 'suspect'
      if (previous === 'suspect') delete result.change
      else result.change = { peerId: reported.id, status: 'suspect', previous }
    }
    result.member = copy(member)
    return result
  }

  delete(peerId: string): boolean {
    this.leftSeq.delete(peerId)
    this.pauseCredit.delete(peerId)
    return this.entries.delete(peerId)
  }

  clear(): void {
    this.entries.clear()
    this.leftSeq.clear()
    this.pauseCredit.clear()
  }

  /** When a member's silence began, as the failure detector counts it. */
  private silentSince(member: Member): number {
    return member.lastSeen + (this.pauseCredit.get(member.id) ?? 0)
  }

  private oldestDead(): string | undefined {
    let oldest: Member | undefined
    for (const member of this.entries.values()) {
      if (isPresent(member.status)) continue
      if (oldest === undefined || member.lastSeen < oldest.lastSeen) oldest = member
    }
    return oldest?.id
  }
}

/** A member's fields as one of its heartbeats describes them. */
export function memberFieldsOf(
  heartbeat: HeartbeatPayload,
  step: number,
  now: number,
): Omit<Member, 'id' | 'status' | 'joinedAt' | 'statusChangedAt' | 'heartbeats'> {
  return {
    weight: heartbeat.weight,
    lastSeen: now,
    roles: [...heartbeat.roles],
    version: heartbeat.version,
    metadata: { ...heartbeat.metadata },
    step,
    term: heartbeat.term,
    principal: heartbeat.principal,
    principalWeight: heartbeat.principalWeight,
    termAgeMs: heartbeat.termAgeMs,
    observer: heartbeat.observer,
    eligible: heartbeat.eligible,
    activity: heartbeat.status,
    intervalMs: heartbeat.intervalMs ?? null,
  }
}

function deadlineOf(
  member: Member,
  silentSince: number,
  timing: DetectorTiming,
): number | undefined {
  if (!isPresent(member.status)) return undefined
  const { suspectAt, deadAt } = statusDeadlines(silentSince, {
    ...timing,
    heartbeatIntervalMs: memberIntervalMs(member.intervalMs, timing.heartbeatIntervalMs),
  })
  return member.status === 'alive' ? suspectAt : deadAt
}

function copy(member: Member): Member {
  return { ...member, roles: [...member.roles], metadata: { ...member.metadata } }
}
