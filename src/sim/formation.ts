/**
 * How long a run waits for its mesh to form (every voter naming one principal). Nodes elect
 * once they have heard the mesh, a heartbeat round and a half after the first peer: with slow
 * member heartbeats (a 100-node scenario's 20 s) that alone outlasts a fixed deadline.
 */
const FORMATION_BASE_MS = 30_000
const FORMATION_HEARTBEATS = 3

/**
 * After the run, how long at most to wait for the messages still in flight: a loaded machine
 * delays gossip by a second or more, and a message counted before it lands counts as lost.
 */
export const SETTLE_MAX_MS = 5000

export function formationTimeoutMs(heartbeatIntervalMs: number): number {
  return FORMATION_BASE_MS + FORMATION_HEARTBEATS * heartbeatIntervalMs
}

/**
 * At the end of a run, waits (`maxMs` at most) for timeline actions still under way: an
 * attacker still dialing on a loaded machine would otherwise be stopped before it sent.
 */
export async function settleActions(
  running: ReadonlySet<Promise<unknown>>,
  maxMs = SETTLE_MAX_MS,
): Promise<void> {
  if (running.size === 0) return
  let timer: NodeJS.Timeout | undefined
  await Promise.race([
    Promise.allSettled([...running]),
    new Promise((resolve) => (timer = setTimeout(resolve, maxMs))),
  ])
  clearTimeout(timer)
}
