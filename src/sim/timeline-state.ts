/**
 * The state of the run over time, rebuilt from what the recorder saw: who was alive, who was
 * in which partition group, and which principal each node named. Pure functions over arrays.
 */

export interface LifeEvent {
  at: number
  node: number
  alive: boolean
}

/** Whether `node` was alive at `t`, from its life events (alive from the start). */
export function aliveAt(events: readonly LifeEvent[], node: number, t: number): boolean {
  let alive = true
  for (const e of events) if (e.node === node && e.at <= t) alive = e.alive
  return alive
}

/** The principal `node` named at `t` (null before it named any). */
export function principalAt(
  changes: ReadonlyArray<readonly [number, number, string | null]>,
  node: number,
  t: number,
): string | null {
  // The latest change at or before t (changes may arrive out of order: events and polls).
  let principal: string | null = null
  let latest = Number.NEGATIVE_INFINITY
  for (const [at, n, p] of changes) {
    if (n === node && at <= t && at >= latest) {
      latest = at
      principal = p
    }
  }
  return principal
}

/**
 * The first time at or after `from` (and before `until`) when every node in `nodes(t)` names the
 * same principal, other than `not`; undefined if that never happens. Checked at every change.
 */
export function agreementAfter(
  changes: ReadonlyArray<readonly [number, number, string | null]>,
  nodes: (t: number) => number[],
  from: number,
  until: number,
  not: string | null,
): { at: number; principal: string } | undefined {
  const times = [from, ...changes.map(([at]) => at).filter((at) => at > from && at <= until)].sort(
    (a, b) => a - b,
  )
  for (const t of times) {
    const named = new Set(nodes(t).map((n) => principalAt(changes, n, t)))
    const [only] = [...named]
    if (named.size === 1 && only !== null && only !== undefined && only !== not)
      return { at: t, principal: only }
  }
  return undefined
}

/** Max − min step at `t` over `nodes`, from samples [time, node, step]. */
export function stepSpreadAt(
  samples: ReadonlyArray<readonly [number, number, number]>,
  nodes: number[],
  t: number,
): number {
  const last = new Map<number, number>()
  for (const [at, node, step] of samples) if (at <= t && nodes.includes(node)) last.set(node, step)
  const steps = [...last.values()]
  return steps.length === 0 ? 0 : Math.max(...steps) - Math.min(...steps)
}
