/**
 * Expectations of a scenario against what a run recorded, and the key figures of the report.
 * Pure: everything comes from the RunRecord.
 */
import { ANOMALY_KINDS } from '../observer/index.js'
import { EXPECTED_DETECTION } from './attackers/attackers.js'
import type { Recorder } from './recorder.js'
import type { AttackerKind, Expectations } from './scenario.js'
import {
  agreementAfter,
  aliveAt,
  principalAt,
  stepSpreadAt,
  type LifeEvent,
} from './timeline-state.js'

export interface ExpectationResult {
  name: string
  passed: boolean
  expected: string
  actual: string
}

export interface RunRecord {
  recorder: Recorder
  members: Array<{ index: number; peerId: string; observer: boolean }>
  attacks: Array<{ kind: AttackerKind; peerId: string; at: number }>
  life: LifeEvent[]
  endAt: number
  formMs: number
  /** Connections of each live member when the mesh had formed, and at the end. */
  connections?: { formed: number[]; end: number[] }
  /** When the mesh had formed and the scenario's timeline (its `at` seconds) started. */
  timelineStartAt: number
  /** The traffic was directed messages (`traffic.to`). */
  directed?: boolean
  /** Highest resident set size of the process during the run (in-process mode), bytes. */
  peakRssBytes?: number
  advice: Array<{
    id: string
    targets: number
    accepted: number
    rejected: number
    reasons: string[]
  }>
}

export interface Figures {
  nodes: number
  observers: number
  formMs: number
  /** Connections per live member at the end: min / median / max (null without the counts). */
  connectionsPerNode: { min: number; median: number; max: number } | null
  messagesSent: number
  /** Deliveries reported twice by one receiver (handlers should see each message once). */
  duplicates: number
  /**
   * Directed traffic (`traffic.to`), null without: acknowledged sends, those that reached their
   * target, failed sends, deliveries at another member than the target, receipts per member.
   */
  directed: {
    sent: number
    delivered: number
    failures: number
    misdelivered: number
    byReceiver: Record<string, number>
  } | null
  deliveryRatio: number
  latencyP50Ms: number
  latencyP99Ms: number
  /** Per message that reached every receiver: the time until the last one had it. */
  reachAllP50Ms: number
  reachAllP99Ms: number
  /** Peak RSS of the whole simulation process (in-process mode; null with --processes). */
  peakRssBytes: number | null
  failoverMs: number[]
  healConvergenceMs: number[]
  anomaliesByKind: Record<string, number>
  anomaliesByPeer: Record<string, number>
  attacks: Array<{ kind: string; peerId: string; detected: boolean }>
  falsePositives: number
  recorderDropped: number
}

/** Min, median and max of some counts; null for none. */
function spread(counts: number[]): { min: number; median: number; max: number } | null {
  if (counts.length === 0) return null
  const sorted = [...counts].sort((a, b) => a - b)
  return { min: sorted[0]!, median: sorted[Math.floor(sorted.length / 2)]!, max: sorted.at(-1)! }
}

/** A receiver killed this soon after a send is not expected to have received it. */
const DELIVERY_GRACE_MS = 2000

/** Anomaly kinds that accuse a peer of sending bad frames: all but the mesh-level events. */
const MESH_EVENT_KINDS: ReadonlySet<string> = new Set([
  'SPLIT_BRAIN',
  'STEP_DIVERGENCE',
  'MEMBER_FLAPPING',
])
const ATTACK_KINDS: ReadonlySet<string> = new Set(
  ANOMALY_KINDS.filter((kind) => !MESH_EVENT_KINDS.has(kind)),
)

/** A member as the simulation names it: n0, n1, … for members, obs0, … for observers. */
export function memberName(record: RunRecord, index: number): string {
  const member = record.members.find((m) => m.index === index)
  if (member?.observer !== true) return `n${index}`
  const firstObserver = Math.min(...record.members.filter((m) => m.observer).map((m) => m.index))
  return `obs${index - firstObserver}`
}

/** The scenario's name of the member with this peer id, or its short peer id if none. */
function nameOfPeer(record: RunRecord, peerId: string): string {
  const member = record.members.find((m) => m.peerId === peerId)
  return member === undefined ? peerId.slice(-8) : memberName(record, member.index)
}

/** Honest, non-observer members alive at `t`: they elect and must agree. */
function voters(record: RunRecord, t: number): number[] {
  return record.members
    .filter((m) => !m.observer && aliveAt(record.life, m.index, t))
    .map((m) => m.index)
}

function detectors(record: RunRecord): Set<string> {
  const observers = record.members.filter((m) => m.observer)
  const pool = observers.length > 0 ? observers : record.members
  return new Set(pool.map((m) => `${m.index}`))
}

export function failovers(record: RunRecord): number[] {
  const { principals, principalKills } = record.recorder
  return principalKills.map(({ at, victim }) => {
    const agreed = agreementAfter(principals, (t) => voters(record, t), at, record.endAt, victim)
    return agreed === undefined ? Number.POSITIVE_INFINITY : agreed.at - at
  })
}

export function healConvergence(record: RunRecord): number[] {
  return record.recorder.heals.map((at) => {
    const agreed = agreementAfter(
      record.recorder.principals,
      (t) => voters(record, t),
      at,
      record.endAt,
      null,
    )
    return agreed === undefined ? Number.POSITIVE_INFINITY : agreed.at - at
  })
}

export function computeFigures(record: RunRecord): Figures {
  const honest = new Set(record.members.map((m) => m.peerId))
  const by = detectors(record)
  const byKind: Record<string, number> = {}
  const byPeer: Record<string, number> = {}
  let falsePositives = 0
  for (const d of record.recorder.detections) {
    if (!by.has(d.by)) continue
    byKind[d.kind] = (byKind[d.kind] ?? 0) + 1
    byPeer[d.peerId] = (byPeer[d.peerId] ?? 0) + 1
    // A false positive blames an honest member for an attack; mesh events a scenario causes on
    // purpose (SPLIT_BRAIN after a partition, MEMBER_FLAPPING around kills) are reported, not counted.
    if (honest.has(d.peerId) && ATTACK_KINDS.has(d.kind)) falsePositives++
  }
  // Killed within the grace period after a send: it could not be expected to get (or finish
  // sending) that message.
  const excused = (node: number, sentAt: number): boolean =>
    record.life.some(
      (e) => e.node === node && !e.alive && e.at >= sentAt && e.at <= sentAt + DELIVERY_GRACE_MS,
    )
  const attacks = record.attacks.map((a) => ({
    kind: a.kind,
    peerId: a.peerId,
    detected: record.recorder.detections.some(
      (d) => by.has(d.by) && d.peerId === a.peerId && d.kind === EXPECTED_DETECTION[a.kind],
    ),
  }))
  return {
    nodes: record.members.filter((m) => !m.observer).length,
    observers: record.members.filter((m) => m.observer).length,
    formMs: record.formMs,
    connectionsPerNode: spread(record.connections?.end ?? []),
    messagesSent: record.recorder.messagesSent(),
    duplicates: record.recorder.duplicates,
    directed: record.directed
      ? {
          ...record.recorder.directed(),
          failures: record.recorder.directFailures,
          misdelivered: record.recorder.misdelivered,
        }
      : null,
    deliveryRatio: record.recorder.deliveryRatio(excused),
    latencyP50Ms: record.recorder.percentile(0.5),
    latencyP99Ms: record.recorder.percentile(0.99),
    reachAllP50Ms: record.recorder.reachAllPercentile(0.5, excused),
    reachAllP99Ms: record.recorder.reachAllPercentile(0.99, excused),
    peakRssBytes: record.peakRssBytes ?? null,
    failoverMs: failovers(record),
    healConvergenceMs: healConvergence(record),
    anomaliesByKind: byKind,
    anomaliesByPeer: byPeer,
    attacks,
    falsePositives,
    recorderDropped: record.recorder.dropped,
  }
}

/**
 * Eventual delivery (DESIGN §15): every honest member alive at the end should have every
 * broadcast, also those sent while it was cut off or down, `within` s after the last heal or
 * restart (or after the send, if later); without `within`, by the end of the run's settling.
 */
export function eventualDelivery(
  record: RunRecord,
  within: number | undefined,
): { ratio: number; expected: number; received: number } {
  const restarts = record.life.filter((e) => e.alive).map((e) => e.at)
  const lastChange = Math.max(record.timelineStartAt, ...record.recorder.heals, ...restarts)
  const alive = record.members
    .filter((m) => !m.observer && aliveAt(record.life, m.index, record.endAt))
    .map((m) => m.index)
  // A sender killed right after a send may never have sent it.
  const excused = (node: number, sentAt: number): boolean =>
    record.life.some(
      (e) => e.node === node && !e.alive && e.at >= sentAt && e.at <= sentAt + DELIVERY_GRACE_MS,
    )
  const deadline = (sentAt: number): number =>
    within === undefined ? Number.POSITIVE_INFINITY : Math.max(lastChange, sentAt) + within * 1000
  return record.recorder.eventualRatio(alive, excused, deadline)
}

export function evaluate(
  expect: Expectations,
  record: RunRecord,
  figures: Figures,
): ExpectationResult[] {
  const results: ExpectationResult[] = []
  const ms = (n: number): string => (Number.isFinite(n) ? `${Math.round(n)} ms` : 'never')
  if (expect.principalFailoverMs !== undefined) {
    const worst = figures.failoverMs.length === 0 ? Number.NaN : Math.max(...figures.failoverMs)
    results.push({
      name: 'principalFailoverMs',
      expected: `≤ ${expect.principalFailoverMs.max} ms`,
      actual:
        figures.failoverMs.length === 0
          ? 'no principal was killed'
          : figures.failoverMs.map(ms).join(', '),
      passed: figures.failoverMs.length > 0 && worst <= expect.principalFailoverMs.max,
    })
  }
  if (expect.attacksDetected !== undefined) {
    const missed = figures.attacks.filter((a) => !a.detected).map((a) => a.kind)
    results.push({
      name: 'attacksDetected',
      expected: expect.attacksDetected
        ? 'every attack detected against its attacker'
        : 'not checked',
      actual:
        figures.attacks.length === 0
          ? 'no attack ran'
          : missed.length === 0
            ? `${figures.attacks.length}/${figures.attacks.length} detected`
            : `missed: ${missed.join(', ')}`,
      passed: !expect.attacksDetected || (figures.attacks.length > 0 && missed.length === 0),
    })
  }
  if (expect.falsePositives !== undefined) {
    results.push({
      name: 'falsePositives',
      expected: `≤ ${expect.falsePositives.max}`,
      actual: String(figures.falsePositives),
      passed: figures.falsePositives <= expect.falsePositives.max,
    })
  }
  if (expect.deliveryRatio !== undefined) {
    results.push({
      name: 'deliveryRatio',
      expected: `≥ ${expect.deliveryRatio.min}`,
      actual: figures.deliveryRatio.toFixed(4),
      passed: figures.deliveryRatio >= expect.deliveryRatio.min,
    })
  }
  if (expect.eventualDelivery !== undefined) {
    const { min, within } = expect.eventualDelivery
    const eventual = eventualDelivery(record, within)
    results.push({
      name: 'eventualDelivery',
      expected:
        `≥ ${min} of every broadcast at every member alive at the end` +
        (within !== undefined ? `, ${within} s after the last heal or restart` : ''),
      actual: `${eventual.ratio.toFixed(4)} (${eventual.received}/${eventual.expected})`,
      passed: eventual.ratio >= min,
    })
  }
  if (expect.adviceDelivered !== undefined) {
    const incomplete = record.advice.filter((a) => a.accepted < a.targets)
    results.push({
      name: 'adviceDelivered',
      expected: 'every advice accepted by every target',
      actual:
        record.advice.length === 0
          ? 'no advice was issued'
          : incomplete.length === 0
            ? `${record.advice.length} advice, all accepted`
            : incomplete
                .map((a) => `${a.id}: ${a.accepted}/${a.targets} (${a.reasons.join('; ')})`)
                .join(', '),
      passed: !expect.adviceDelivered || (record.advice.length > 0 && incomplete.length === 0),
    })
  }
  if (expect.stepSpread !== undefined) {
    const { max, within } = expect.stepSpread
    const checks = [...record.recorder.heals.map((at) => at + within * 1000), record.endAt]
      .filter((t) => t <= record.endAt)
      .map((t) => stepSpreadAt(record.recorder.steps, voters(record, t), t))
    results.push({
      name: 'stepSpread',
      expected: `≤ ${max} step(s), ${within} s after each heal and at the end`,
      actual: checks.join(', '),
      passed: checks.every((spread) => spread <= max),
    })
  }
  if (expect.singlePrincipal !== undefined) {
    const named = new Set(
      voters(record, record.endAt).map((n) =>
        principalAt(record.recorder.principals, n, record.endAt),
      ),
    )
    const [only] = [...named]
    results.push({
      name: 'singlePrincipal',
      expected: 'every live node names the same principal at the end',
      actual:
        named.size === 1 && only !== null && only !== undefined
          ? `one: ${nameOfPeer(record, only)} (…${only.slice(-8)})`
          : `${named.size} different`,
      passed: !expect.singlePrincipal || (named.size === 1 && only !== null && only !== undefined),
    })
  }
  return results
}
