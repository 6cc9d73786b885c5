/**
 * Who a directed message goes to (DESIGN §15), pure: `to` parsed, then resolved against the
 * alive members. `key:<k>` uses rendezvous (highest random weight) hashing: every sender that
 * sees the same members picks the same owner, and when the owner dies only its keys move (each
 * to the member with its next highest weight).
 */
import { createHash } from 'node:crypto'
import { peerIdFromString } from '@libp2p/peer-id'
import { InvalidTargetError } from './errors.js'

/** Longest `key:<k>` key, characters. */
export const MAX_KEY_LENGTH = 256

export type Target =
  | { kind: 'peer'; peerId: string }
  | { kind: 'principal' }
  | { kind: 'member' }
  | { kind: 'any' }
  | { kind: 'key'; key: string }

/** Parses `to`; throws InvalidTargetError naming what is wrong. */
export function parseTarget(to: string): Target {
  if (to === 'role:principal') return { kind: 'principal' }
  if (to === 'role:member') return { kind: 'member' }
  if (to === 'any') return { kind: 'any' }
  if (to.startsWith('key:')) {
    const key = to.slice(4)
    if (key.length === 0) throw new InvalidTargetError('to: key:<k> needs a non-empty key')
    if (key.length > MAX_KEY_LENGTH)
      throw new InvalidTargetError(`to: the key is longer than ${MAX_KEY_LENGTH} characters`)
    return { kind: 'key', key }
  }
  if (to.startsWith('role:'))
    throw new InvalidTargetError(
      `to: unknown role ${JSON.stringify(to.slice(5))} (known: role:principal, role:member)`,
    )
  try {
    peerIdFromString(to)
  } catch {
    throw new InvalidTargetError(
      `to: ${JSON.stringify(to)} is not a peer id, role:principal, role:member, any or key:<k>`,
    )
  }
  return { kind: 'peer', peerId: to }
}

/** The weight of `member` for `key`: the first 48 bits of SHA-256(key ‖ 0 ‖ member). */
export function rendezvousWeight(key: string, member: string): number {
  const digest = createHash('sha256').update(key).update('\0').update(member).digest()
  return digest.readUIntBE(0, 6)
}

/** The owner of `key` among `members` (ties, vanishingly rare, go to the smaller id). */
export function rendezvousOwner(key: string, members: readonly string[]): string | undefined {
  let best: string | undefined
  let bestWeight = -1
  for (const member of members) {
    const weight = rendezvousWeight(key, member)
    if (weight > bestWeight || (weight === bestWeight && best !== undefined && member < best)) {
      best = member
      bestWeight = weight
    }
  }
  return best
}

export interface TargetContext {
  /** The alive members that may receive (this node included), in any order. */
  candidates: readonly string[]
  /** Every member known, with its status (for a peer id: known but not alive is no target). */
  status: (peerId: string) => string | undefined
  principal: string | null
  /** Round-robin position (the caller increments it per `role:member` send). */
  turn: number
  random: () => number
}

/** The peer a target resolves to now, or a sentence saying why there is none. */
export function resolveTarget(
  target: Target,
  ctx: TargetContext,
): { peerId: string } | { none: string } {
  const sorted = [...ctx.candidates].sort()
  switch (target.kind) {
    case 'peer': {
      const status = ctx.status(target.peerId)
      if (status === undefined) return { none: `${target.peerId} is not a known member` }
      if (status !== 'alive' && status !== 'suspect')
        return { none: `${target.peerId} is ${status}` }
      return { peerId: target.peerId }
    }
    case 'principal':
      return ctx.principal === null ? { none: 'there is no principal' } : { peerId: ctx.principal }
    case 'member':
      return sorted.length === 0
        ? { none: 'no alive member' }
        : { peerId: sorted[ctx.turn % sorted.length]! }
    case 'any':
      return sorted.length === 0
        ? { none: 'no alive member' }
        : { peerId: sorted[Math.floor(ctx.random() * sorted.length) % sorted.length]! }
    case 'key': {
      const owner = rendezvousOwner(target.key, sorted)
      return owner === undefined ? { none: 'no alive member' } : { peerId: owner }
    }
  }
}
