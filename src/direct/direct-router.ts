/**
 * Where a directed message goes now: a parsed target resolved (pure, `targets.ts`) against
 * the member table as it is at this moment, the principal, and the turn of `role:member`.
 */
import { resolveTarget, type Target } from './targets.js'
import type { DirectComponents } from './types.js'

export type RouterComponents = Pick<
  DirectComponents,
  'identity' | 'liveConfig' | 'members' | 'roles'
>

export class DirectRouter {
  private readonly c: RouterComponents
  private readonly random: () => number
  private turn = 0

  constructor(components: RouterComponents, random: () => number) {
    this.c = components
    this.random = random
  }

  /** `role:member` takes turns: each send to it moves on to the next member. */
  rotate(): void {
    this.turn++
  }

  /** The peer `target` resolves to now, or a sentence why nothing. */
  resolve(target: Target): { peerId: string } | { none: string } {
    const table = this.c.members?.members() ?? []
    const self = this.c.identity.peerId
    return resolveTarget(target, {
      candidates: this.aliveMembers(),
      status: (peerId) => (peerId === self ? 'alive' : table.find((m) => m.id === peerId)?.status),
      principal: this.c.roles?.principal ?? null,
      turn: this.turn,
      random: this.random,
    })
  }

  /** Alive members that take routed messages (observers do not), this node included. */
  private aliveMembers(): string[] {
    const out = (this.c.members?.members() ?? [])
      .filter((m) => m.status === 'alive' && !m.observer)
      .map((m) => m.id)
    if (!this.c.liveConfig.config.observer) out.push(this.c.identity.peerId)
    return out
  }
}
