import type { ApiContext } from '../context.js'
import type { Handler } from '../router.js'
import type { PeerStats } from '../../observer/index.js'
import type { PeerView } from '../types.js'

/**
 * `GET /v1/peers` (DESIGN §8). From the member table when a membership component provides
 * one; otherwise the connected peers, alive, with the last step and time heard from each.
 */
export const peers =
  (ctx: ApiContext): Handler =>
  () => {
    const { node } = ctx
    if (node.memberViews !== undefined)
      return { status: 200, json: { peers: withStats(node.memberViews(), node.peerStats?.()) } }
    let connected: string[] = []
    try {
      connected = node.connectedPeers()
    } catch {
      // not started: no peers
    }
    const list: PeerView[] = connected.map((peerId) => {
      const seen = ctx.peers.get(peerId)
      return {
        peerId,
        status: 'alive',
        weight: null,
        roles: [],
        step: seen?.step ?? null,
        lastSeen: seen?.lastSeen ?? null,
        observer: null,
      }
    })
    list.sort((a, b) => (a.peerId < b.peerId ? -1 : a.peerId > b.peerId ? 1 : 0))
    return { status: 200, json: { peers: withStats(list, node.peerStats?.()) } }
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
          droppedWhileGraylisted: entry.droppedWhileGraylisted,
        }
  })
}
