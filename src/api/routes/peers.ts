import type { PeerStats } from '../../observer/index.js'
import type { ApiContext } from '../context.js'
import type { ApiNode, PeerView } from '../types.js'
import { DEFAULT_ERROR, jsonResponse, route } from './route.js'

/**
 * `GET /v1/peers` (DESIGN §8, §13). From the member table when a membership component
 * provides one; otherwise the connected peers, alive, with the last step and time heard from
 * each. Each peer says whether it is connected, and its addresses and graylisted drops when
 * the node provides them.
 */
export const peers = route({
  method: 'GET',
  path: '/v1/peers',
  schema: {
    operationId: 'getPeers',
    summary: 'Members of the mesh as this node sees them',
    tags: ['node'],
    response: { 200: jsonResponse('peers', 'Peers'), default: DEFAULT_ERROR },
  },
  handler: (ctx) => () => {
    const { node } = ctx
    const list = node.memberViews?.() ?? connectedViews(ctx)
    return { peers: withConnections(node, withStats(list, node.peerStats?.())) }
  },
})

function connected(node: ApiNode): string[] {
  try {
    return node.connectedPeers()
  } catch {
    return [] // not started: no peers
  }
}

function connectedViews(ctx: ApiContext): PeerView[] {
  const list: PeerView[] = connected(ctx.node).map((peerId) => {
    const seen = ctx.peers.get(peerId)
    return {
      peerId,
      status: 'alive',
      weight: null,
      roles: [],
      step: seen?.step ?? null,
      lastSeen: seen?.lastSeen ?? null,
      observer: null,
      connected: true,
    }
  })
  return list.sort((a, b) => (a.peerId < b.peerId ? -1 : a.peerId > b.peerId ? 1 : 0))
}

/**
 * `addrs` and `droppedWhileGraylisted` (DESIGN §13–§14) from the node's providers, where it has
 * them and the member table did not give them. (`connected` comes with the member table: see
 * meshNodeView.)
 */
function withConnections(node: ApiNode, list: PeerView[]): PeerView[] {
  if (node.peerAddrs === undefined && node.droppedWhileGraylisted === undefined) return list
  return list.map((peer) => ({
    ...peer,
    ...(peer.addrs === undefined && node.peerAddrs !== undefined
      ? { addrs: node.peerAddrs(peer.peerId) }
      : {}),
    ...dropped(node, peer),
  }))
}

/** The provider's count of a peer's graylisted drops, when it knows the peer. */
function dropped(node: ApiNode, peer: PeerView): { droppedWhileGraylisted?: number } {
  if (peer.droppedWhileGraylisted !== undefined || node.droppedWhileGraylisted === undefined)
    return {}
  const count = node.droppedWhileGraylisted(peer.peerId)
  return count === undefined ? {} : { droppedWhileGraylisted: count }
}

/** The observer's per-peer figures (rate, latency, anomalies) added to each peer it knows. */
function withStats(list: PeerView[], stats: PeerStats[] | undefined): PeerView[] {
  if (stats === undefined) return list
  const byId = new Map(stats.map((entry) => [entry.peerId, entry]))
  return list.map((peer) => {
    const entry = byId.get(peer.peerId)
    return entry === undefined
      ? peer
      : {
          ...peer,
          messagesPerSecond: entry.messagesPerSecond,
          latencyMs: entry.latencyMs,
          anomalies: entry.anomalies,
        }
  })
}
