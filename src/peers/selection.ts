/**
 * What the peer manager dials and prunes, pure: the state of one round in, peer ids out.
 * Randomness is injected (a number in [0, 1)), so tests are tables.
 *
 * Dials: while connections (plus dials under way) are below the target, random alive members
 * first, then members remembered in the peer store that the member table does not list (a
 * restarted node's way back), then members that are not alive (suspect or dead but still listed). A
 * probe may add one not-alive member even at the target: that is how the two sides of a healed
 * partition find each other again.
 *
 * Prunes: only above `maxPeers`, down to it; between the target and the maximum nothing is
 * pruned (the peer we would hang up on may be below its own target and dial again: churn).
 * Connections younger than the grace period are never pruned (a node joining through us needs
 * us until it has its own peers). Random alive members go first, being the peers that have
 * other ways into the mesh; then other peers (not members yet, or not alive).
 */
import { sample } from '../util/sample.js'

export interface DialRound {
  self: string
  /** Peers with an open connection. */
  connected: ReadonlySet<string>
  /** Peers being dialed. */
  dialing: ReadonlySet<string>
  /** Members heard from lately (status `alive`). */
  alive: readonly string[]
  /** Members still listed but not alive (suspect, dead). */
  notAlive: readonly string[]
  /** Peers the peer store remembers as members (their record came in a member's heartbeat). */
  remembered: readonly string[]
  target: number
  max: number
  /** Dials allowed in flight at once. */
  maxParallel: number
  /** Whether this round may probe one not-alive member even at the target. */
  probe: boolean
  /** True while `peerId`'s last dial failed too recently (backoff). */
  backingOff: (peerId: string) => boolean
}

export interface DialPlan {
  dial: string[]
  /** The one not-alive member dialed as a probe, if any (also in `dial`). */
  probed?: string
}

export function planDials(round: DialRound, random: () => number): DialPlan {
  const busy = round.connected.size + round.dialing.size
  const slots = round.maxParallel - round.dialing.size
  let room = Math.min(round.target - busy, slots)
  const chosen = new Set<string>()
  const usable = (peerId: string): boolean =>
    peerId !== round.self &&
    !round.connected.has(peerId) &&
    !round.dialing.has(peerId) &&
    !chosen.has(peerId) &&
    !round.backingOff(peerId)
  const listed = new Set([...round.alive, ...round.notAlive])
  const tiers = [
    round.alive,
    round.remembered.filter((peerId) => !listed.has(peerId)),
    round.notAlive,
  ]
  for (const tier of tiers) {
    if (room <= 0) break
    for (const peerId of sample(tier.filter(usable), room, random)) {
      chosen.add(peerId)
      room--
    }
  }
  const plan: DialPlan = { dial: [...chosen] }
  if (
    round.probe &&
    busy + chosen.size < round.max &&
    round.dialing.size + chosen.size < round.maxParallel
  ) {
    const [probed] = sample(round.notAlive.filter(usable), 1, random)
    if (probed !== undefined) {
      plan.dial.push(probed)
      plan.probed = probed
    }
  }
  return plan
}

export interface OpenPeer {
  peerId: string
  /** When its oldest open connection opened (ms). */
  openedAt: number
  /** Whether the member table lists it as alive. */
  alive: boolean
}

export interface PruneRound {
  peers: readonly OpenPeer[]
  max: number
  graceMs: number
  now: number
}

export function planPrunes(round: PruneRound, random: () => number): string[] {
  let excess = round.peers.length - round.max
  if (excess <= 0) return []
  const old = round.peers.filter((peer) => round.now - peer.openedAt >= round.graceMs)
  const pruned: string[] = []
  for (const tier of [old.filter((p) => p.alive), old.filter((p) => !p.alive)]) {
    if (excess <= 0) break
    const picked = sample(
      tier.map((p) => p.peerId),
      excess,
      random,
    )
    pruned.push(...picked)
    excess -= picked.length
  }
  return pruned
}

export { sample }
