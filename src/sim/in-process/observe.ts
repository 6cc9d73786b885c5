/** What the in-process driver reports of its members: events as they happen, and at the end. */
import type { AdviceOutcome, ObservationSink } from '../driver.js'
import type { SimMember } from './sim-member.js'

/** Principal changes, honest deliveries and (without an observer) rejected frames of a member. */
export function observeMember(
  member: SimMember,
  sink: ObservationSink,
  honest: ReadonlySet<string>,
): void {
  const node = member.node
  if (node === undefined) return
  sink.principal(member.index, node.roles?.principal ?? null)
  node.roles?.addEventListener('roles.principal-changed', (event) => {
    sink.principal(member.index, event.detail.principal)
  })
  node.onMessage((message) => {
    // Only the scenario's own traffic counts; an attacker's valid frames (a flood) do not.
    if (!honest.has(message.envelope.senderId)) return
    if (member.observer) return
    sink.message(message.id, member.index, Date.now() - message.envelope.timestamp)
  })
  // The mesh's own view of attacks is its observer's anomalies (collected at the end); the
  // raw verdicts stand in only for a node without one.
  if (node.observer !== undefined) return
  node.addEventListener('verdict', (event) => {
    const { result, from, at } = event.detail
    if (result.verdict !== 'reject') return
    sink.detection({ at, by: `${member.index}`, kind: result.code, peerId: from })
  })
}

/** The anomalies every live member's observer recorded, as detections. */
export function reportAnomalies(members: readonly SimMember[], sink: ObservationSink): void {
  for (const member of members) {
    for (const anomaly of member.node?.observer?.anomalies() ?? []) {
      if (anomaly.peerId === null) continue
      sink.detection({
        at: anomaly.at,
        by: `${member.index}`,
        kind: anomaly.kind,
        peerId: anomaly.peerId,
        detail: anomaly.detail,
      })
    }
  }
}

/** Per-target results of every advice issued, as the issuer (or a live holder) sees them. */
export function adviceOutcomes(
  members: readonly SimMember[],
  issued: ReadonlyArray<{ id: string; issuer: number }>,
): AdviceOutcome[] {
  return issued.map(({ id, issuer }) => {
    const member = members[issuer]
    const holder =
      member?.alive === true
        ? member
        : members.find((m) => m.alive && m.node?.advice?.get(id) !== undefined)
    const view = holder?.node?.advice?.get(id)
    if (view === undefined) {
      return {
        id,
        targets: 1,
        accepted: 0,
        rejected: 1,
        reasons: ['the issuer no longer knows it'],
      }
    }
    const reasons = view.results
      .filter((r) => r.status !== 'accepted')
      .map(
        (r) =>
          `${r.target.slice(-6)}: ${r.status}${r.reason !== undefined ? ` (${r.reason})` : ''}`,
      )
    return {
      id,
      targets: view.results.length,
      accepted: view.counts.accepted,
      rejected: view.counts.rejected,
      reasons,
    }
  })
}
