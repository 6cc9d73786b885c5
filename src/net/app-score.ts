/**
 * gossipsub's application-specific score (P5) for a running node. gossipsub reads
 * `scoreParams.appSpecificScore(peer)` each time it computes a score (cached at most one decay
 * interval, 1 s), so a component that starts after libp2p (the observer) plugs its penalty in
 * here, on top of whatever the options set; the returned function restores them.
 */
import type { PeerScoreParams } from '@libp2p/gossipsub/score'

export type AppScoreSource = (peerId: string) => number

interface ScoredPubSub {
  score?: { params?: PeerScoreParams }
}

/** Adds `source` to the node's P5 score. Returns the undo; a no-op without peer scoring. */
export function bindAppScore(pubsub: unknown, source: AppScoreSource): () => void {
  const params = (pubsub as ScoredPubSub).score?.params
  if (params === undefined) return () => undefined
  const previous = params.appSpecificScore
  params.appSpecificScore = (peerId) => previous(peerId) + source(peerId)
  return () => {
    params.appSpecificScore = previous
  }
}
