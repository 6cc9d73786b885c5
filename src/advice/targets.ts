/** Targets, pure: peer ids, `role:<name>` or `*`, resolved by the issuer at stamping time. */

export interface TargetMember {
  peerId: string
  roles: readonly string[]
  alive: boolean
}

/** The peer ids `target` names among `members` (the issuer's table, itself included). */
export function resolveTargets(
  target: readonly string[],
  members: readonly TargetMember[],
): string[] {
  const out = new Set<string>()
  for (const selector of target) {
    if (selector === '*') {
      for (const m of members) if (m.alive) out.add(m.peerId)
    } else if (selector.startsWith('role:')) {
      const role = selector.slice(5)
      for (const m of members) if (m.alive && m.roles.includes(role)) out.add(m.peerId)
    } else {
      out.add(selector)
    }
  }
  return [...out].sort()
}

/** Is `self` a target? Named, resolved, or `*` (so a node that joins later applies it too). */
export function isTarget(
  advice: { target: readonly string[]; resolved: readonly string[] },
  self: string,
): boolean {
  return (
    advice.target.includes('*') || advice.target.includes(self) || advice.resolved.includes(self)
  )
}
