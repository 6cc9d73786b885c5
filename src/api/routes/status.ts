import type { ApiContext } from '../context.js'
import { safePeerId } from '../events-stream.js'
import { connectedCount } from '../metrics.js'
import type { Handler } from '../router.js'
import type { PeerView } from '../types.js'

/** `GET /v1/status` (DESIGN §8). */
export const status =
  (ctx: ApiContext): Handler =>
  () => {
    const { node } = ctx
    const observer = node.config.observer
    const roleState = node.roleState?.() ?? {
      term: 0,
      principal: null,
      roles: [observer ? 'observer' : 'member'],
    }
    const connectedPeers = connectedCount(node)
    return {
      status: 200,
      json: {
        ...ctx.extraStatus?.(),
        peerId: safePeerId(node),
        meshId: node.config.meshId,
        step: node.step,
        term: roleState.term,
        principal: roleState.principal,
        roles: roleState.roles,
        observer,
        weight: node.config.weight,
        connectedPeers,
        members:
          node.memberViews === undefined
            ? // Without a member table: the connected peers and this node, all alive.
              { alive: connectedPeers + (node.isStarted ? 1 : 0), suspect: 0, dead: 0 }
            : countMembers(node.memberViews(), node.isStarted),
        ready: ctx.readiness.ready,
        version: ctx.version,
      },
    }
  }

/** The member table lists the others; this node, when running, is an alive member too. */
function countMembers(
  members: PeerView[],
  selfAlive: boolean,
): { alive: number; suspect: number; dead: number; left: number } {
  const counts = { alive: selfAlive ? 1 : 0, suspect: 0, dead: 0, left: 0 }
  for (const member of members) counts[member.status]++
  return counts
}
