/**
 * Membership's Prometheus metrics: members by status, heartbeats sent and received, and the
 * gaps between a member's heartbeats as this node receives them (a member whose gaps grow
 * towards `suspectAfter` intervals is about to be suspected).
 */
import { Histogram, type Registry } from 'prom-client'
import { countBy, mirrorCounter, readLabelledGauge } from '../util/metrics.js'
import type { Membership } from './membership.js'
import type { Member } from './member-table.js'

/** The statuses of `patternmesh_members` (`leaving`: alive, and its heartbeat says so). */
export const MEMBER_METRIC_STATUSES = ['alive', 'suspect', 'dead', 'leaving', 'left'] as const

/** Heartbeat gaps kept for at most this many members (a bounded map; then restarted). */
const MAX_TRACKED_MEMBERS = 4096

export function metricStatus(member: Pick<Member, 'status' | 'activity'>): string {
  return member.status === 'alive' && member.activity === 'leaving' ? 'leaving' : member.status
}

export function registerMembershipMetrics(
  registry: Registry,
  members: Pick<Membership, 'self' | 'memberView' | 'stats' | 'addEventListener'>,
  signal: AbortSignal,
): void {
  readLabelledGauge(
    registry,
    'patternmesh_members',
    'Members by status (alive, suspect, dead, leaving, left), this node included.',
    'status',
    MEMBER_METRIC_STATUSES,
    // The table lists the others; this node is a member too (as /v1/status counts it).
    () => countBy([members.self(), ...members.memberView()], metricStatus),
  )
  mirrorCounter(
    registry,
    'patternmesh_membership_heartbeats_sent_total',
    'Heartbeats this node published.',
    () => members.stats().heartbeatsSent,
  )
  mirrorCounter(
    registry,
    'patternmesh_membership_heartbeat_send_failures_total',
    'Heartbeats this node could not publish.',
    () => members.stats().heartbeatSendFailures,
  )
  mirrorCounter(
    registry,
    'patternmesh_membership_heartbeats_received_total',
    "Members' heartbeats this node recorded.",
    () => members.stats().heartbeatsReceived,
  )
  mirrorCounter(
    registry,
    'patternmesh_membership_invalid_heartbeats_total',
    'Heartbeats refused (malformed, or not matching their sender).',
    () => members.stats().invalidHeartbeats,
  )
  mirrorCounter(
    registry,
    'patternmesh_membership_overflow_total',
    'New members refused because the table was full of live members (maxNodes).',
    () => members.stats().overflow,
  )
  mirrorCounter(
    registry,
    'patternmesh_membership_late_heartbeats_total',
    "Dead members' heartbeats that arrived too late, by their step, to prove them alive.",
    () => members.stats().lateHeartbeats,
  )
  mirrorCounter(
    registry,
    'patternmesh_membership_pause_holds_total',
    'Times the failure detector held its judgement because this process was paused (GC, a starved core).',
    () => members.stats().pauseHolds,
  )
  mirrorCounter(
    registry,
    'patternmesh_membership_pause_excused_seconds_total',
    "Time this process could not listen (timers late by over 100 ms), not counted as members' silence.",
    () => members.stats().pauseExcusedMs / 1000,
  )

  const gaps = new Histogram({
    name: 'patternmesh_membership_heartbeat_interval_seconds',
    help: "Time between two heartbeats of one member, as received here (any member's).",
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 1.5, 2, 3, 5, 10, 30],
    registers: [registry],
  })
  const last = new Map<string, number>()
  members.addEventListener(
    'members.heartbeat',
    ({ detail }) => {
      const previous = last.get(detail.peerId)
      if (previous !== undefined && detail.receivedAt >= previous) {
        gaps.observe((detail.receivedAt - previous) / 1000)
      }
      if (previous === undefined && last.size >= MAX_TRACKED_MEMBERS) last.clear()
      last.set(detail.peerId, detail.receivedAt)
    },
    { signal },
  )
  members.addEventListener('members.removed', ({ detail }) => last.delete(detail.peerId), {
    signal,
  })
}
