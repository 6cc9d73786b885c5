/**
 * Launching an attacker, the same for both drivers: its node dials every live member, waits
 * until they are known as subscribers (so that the first frames reach the observers), then
 * attacks for its duration.
 */
import type { PatternGenerator } from '../../pattern/index.js'
import type { AttackerHandle } from '../driver.js'
import type { AttackerKind } from '../scenario.js'
import { until } from '../wait.js'
import { startAttack } from './attackers.js'

/** How long an attacker waits for the members to know it before it goes anyway. */
const SUBSCRIBERS_WAIT_MS = 5000
const DIAL_TIMEOUT_MS = 5000

export interface LaunchInit {
  kind: AttackerKind
  /** Live members now: the attacker starts once this many subscribers are known. */
  liveMembers: number
  meshGenerator: PatternGenerator
  rate: number
  durationMs: number
  /** Called with the attacker's peer id when it sends its first frame. */
  onStart: (peerId: string) => void
}

/** Resolves, once the attack has started, to the function that stops it. */
export async function launchAttack(
  { node, targets }: AttackerHandle,
  init: LaunchInit,
): Promise<() => void> {
  await Promise.all(
    targets.map(
      async (addr) =>
        await node.libp2p
          .dial(addr, { signal: AbortSignal.timeout(DIAL_TIMEOUT_MS) })
          .catch(() => undefined),
    ),
  )
  // Go anyway after 5 s with whoever is there.
  await until(
    () => node.libp2p.services.pubsub.getSubscribers(node.topics.data).length >= init.liveMembers,
    SUBSCRIBERS_WAIT_MS,
  ).catch(() => undefined)
  init.onStart(node.peerId)
  return startAttack(init.kind, {
    node,
    meshGenerator: init.meshGenerator,
    rate: init.rate,
    durationMs: init.durationMs,
  })
}
