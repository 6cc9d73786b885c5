/**
 * Counts what gossipsub drops unread from graylisted peers. gossipsub 17 checks
 * `acceptFrom(peer)` first thing in `handleReceivedRpc(from, rpc)`: below `graylistThreshold`
 * the whole RPC is dropped before any validator runs, and only an unlabelled metric
 * (`rpcRecvNotAccepted`) records it. Both are public methods of the GossipSub class, so we
 * wrap them on the instance (as app-score.ts does with the score params): the RPC being
 * handled is remembered for the synchronous `acceptFrom` call it makes, and a refusal reports
 * the peer and the number of gossip messages it carried. Control-only RPCs (IHAVE, GRAFT…)
 * carry none and are not counted.
 */

/** A graylisted peer's RPC was dropped: `messages` gossip messages in it, never validated. */
export type GraylistDropSink = (peerId: string, messages: number) => void

interface RpcLike {
  messages?: unknown[]
}

interface GraylistingPubSub {
  acceptFrom(id: string): boolean
  handleReceivedRpc(from: { toString(): string }, rpc: RpcLike): Promise<void>
}

function isGraylisting(pubsub: unknown): pubsub is GraylistingPubSub {
  const candidate = pubsub as Partial<GraylistingPubSub> | null
  return (
    typeof candidate?.acceptFrom === 'function' && typeof candidate.handleReceivedRpc === 'function'
  )
}

/**
 * Calls `sink` for every RPC with messages that gossipsub drops because its sender is
 * graylisted. Returns the undo (restores both methods); a no-op for another pubsub.
 */
export function bindGraylistDrops(pubsub: unknown, sink: GraylistDropSink): () => void {
  if (!isGraylisting(pubsub)) return () => undefined
  const target = pubsub
  const acceptFrom = Object.prototype.hasOwnProperty.call(target, 'acceptFrom')
    ? target.acceptFrom
    : undefined
  const handleReceivedRpc = Object.prototype.hasOwnProperty.call(target, 'handleReceivedRpc')
    ? target.handleReceivedRpc
    : undefined
  const originalAccept = target.acceptFrom.bind(target)
  const originalHandle = target.handleReceivedRpc.bind(target)
  let current: RpcLike | undefined
  target.acceptFrom = (id: string): boolean => {
    const accepted = originalAccept(id)
    const rpc = current
    current = undefined
    if (!accepted && rpc !== undefined) {
      const messages = rpc.messages?.length ?? 0
      if (messages > 0) sink(id, messages)
    }
    return accepted
  }
  target.handleReceivedRpc = (from, rpc): Promise<void> => {
    // acceptFrom runs synchronously before handleReceivedRpc's first await.
    current = rpc
    try {
      return originalHandle(from, rpc)
    } finally {
      current = undefined
    }
  }
  return () => {
    if (acceptFrom === undefined) delete (target as Partial<GraylistingPubSub>).acceptFrom
    else target.acceptFrom = acceptFrom
    if (handleReceivedRpc === undefined)
      delete (target as Partial<GraylistingPubSub>).handleReceivedRpc
    else target.handleReceivedRpc = handleReceivedRpc
  }
}
