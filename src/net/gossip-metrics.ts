/**
 * gossipsub's figures an operator graphs, read at scrape time from its public API (its own
 * metrics take a registry adapter and are updated on every message: not worth the hot path):
 * mesh peers and subscribed peers per topic kind, and the spread of the peers' scores.
 */
import { Gauge, type Registry } from 'prom-client'

export interface GossipView {
  getMeshPeers(topic: string): unknown[]
  getSubscribers(topic: string): unknown[]
  getPeers(): Array<{ toString(): string }>
  getScore(peerId: string): number
}

/** `topics`: label → topic (`data`, `control`). */
export function registerGossipMetrics(
  registry: Registry,
  pubsub: () => GossipView | undefined,
  topics: Record<string, string>,
  graylistThreshold: number,
): void {
  const registers = [registry]
  const mesh: Gauge<'topic'> = new Gauge({
    name: 'patternmesh_gossip_mesh_peers',
    help: 'Peers in the gossipsub mesh of each topic (target D; fewer than Dlo heals).',
    labelNames: ['topic'],
    registers,
    collect: () => {
      const p = pubsub()
      for (const [label, topic] of Object.entries(topics))
        mesh.set({ topic: label }, p?.getMeshPeers(topic).length ?? 0)
    },
  })
  const subscribers: Gauge<'topic'> = new Gauge({
    name: 'patternmesh_gossip_topic_peers',
    help: 'Connected peers subscribed to each topic.',
    labelNames: ['topic'],
    registers,
    collect: () => {
      const p = pubsub()
      for (const [label, topic] of Object.entries(topics))
        subscribers.set({ topic: label }, p?.getSubscribers(topic).length ?? 0)
    },
  })
  const scores: Gauge<'stat'> = new Gauge({
    name: 'patternmesh_gossip_peer_score',
    help: "gossipsub scores of the connected peers: min, median, max (a negative min: someone's misbehaving).",
    labelNames: ['stat'],
    registers,
    collect: () => {
      const p = pubsub()
      const all = (p?.getPeers() ?? [])
        .map((id) => p!.getScore(id.toString()))
        .sort((a, b) => a - b)
      scores.set({ stat: 'min' }, all[0] ?? 0)
      scores.set({ stat: 'median' }, all[Math.floor(all.length / 2)] ?? 0)
      scores.set({ stat: 'max' }, all.at(-1) ?? 0)
    },
  })
  const graylisted: Gauge = new Gauge({
    name: 'patternmesh_gossip_graylisted_peers',
    help: 'Connected peers whose score is below the graylist threshold (their messages are dropped unread).',
    registers,
    collect: () => {
      const p = pubsub()
      graylisted.set(
        (p?.getPeers() ?? []).filter((id) => p!.getScore(id.toString()) < graylistThreshold).length,
      )
    },
  })
}
