import type { ApiContext } from '../context.js'
import { safePeerId } from '../events-stream.js'
import { connectedCount } from '../metrics.js'
import { MEMBER_STATUSES, type MemberStatusView, type PeerView } from '../types.js'
import { DEFAULT_ERROR, jsonResponse, route } from './route.js'

/** `targetPeers` when the config has none (the peer manager's default, DESIGN §13). */
const DEFAULT_TARGET_PEERS = 6

/** `GET /v1/status` (DESIGN §8). */
export const status = route({
  method: 'GET',
  path: '/v1/status',
  schema: {
    operationId: 'getStatus',
    summary: 'Node status',
    tags: ['node'],
    response: { 200: jsonResponse('status', 'Status'), default: DEFAULT_ERROR },
  },
  handler: (ctx) => () => statusOf(ctx),
})

function statusOf(ctx: ApiContext): Record<string, unknown> {
  const { node } = ctx
  const observer = node.config.observer
  const roleState = node.roleState?.() ?? {
    term: 0,
    principal: null,
    roles: [observer ? 'observer' : 'member'],
  }
  const connectedPeers = connectedCount(node)
  return {
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
    targetPeers: node.config.targetPeers ?? DEFAULT_TARGET_PEERS,
    members:
      node.memberViews === undefined
        ? // Without a member table: the connected peers and this node, all alive.
          { alive: connectedPeers + (node.isStarted ? 1 : 0), suspect: 0, dead: 0 }
        : countMembers(node.memberViews(), node.isStarted),
    ready: ctx.readiness.ready,
    version: ctx.version,
  }
}

/**
 * The member table lists the others; this node, when running, is an alive member too.
 * `alive`, `suspect` and `dead` are always there; `leaving` and `left` once someone is.
 */
function countMembers(members: PeerView[], selfAlive: boolean): Record<string, number> {
  const counts: Partial<Record<MemberStatusView, number>> = {
    alive: selfAlive ? 1 : 0,
    suspect: 0,
    dead: 0,
  }
  for (const member of members) {
    if (!(MEMBER_STATUSES as readonly string[]).includes(member.status)) continue
    counts[member.status] = (counts[member.status] ?? 0) + 1
  }
  return counts
}
