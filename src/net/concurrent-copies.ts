/**
 * One signature check per message, also for copies that arrive together. gossipsub 17 drops a
 * copy unverified only once the first copy's id is in its cache, and the id goes in after the
 * first copy's (awaited) signature check: copies that arrive while it runs — from each mesh
 * peer at about the same time — are each verified in full. In a 100-node mesh that was ~2.4
 * signature checks per message per node. Here a copy whose fast id is being validated waits
 * for that validation, then goes through gossipsub as usual: found in the cache, it is a
 * duplicate; if the first copy failed (a forgery with the real one's fields), the cache is
 * still empty and this copy is checked on its own, so a forged copy cannot suppress the real
 * one. `validateReceivedMessage` is a method of the GossipSub class that its exported type
 * hides; we wrap it on the instance, as graylist-drops.ts does with `handleReceivedRpc`.
 */

/** Copies tracked at once at most; beyond it a copy is validated without waiting (counted). */
export const MAX_VALIDATIONS_TRACKED = 4096

interface ValidatingPubSub {
  validateReceivedMessage(source: unknown, message: unknown): Promise<unknown>
  fastMsgIdFn?: (message: unknown) => string | undefined
}

function isValidating(pubsub: unknown): pubsub is ValidatingPubSub {
  const candidate = pubsub as Partial<ValidatingPubSub> | null
  return (
    typeof candidate?.validateReceivedMessage === 'function' &&
    typeof candidate.fastMsgIdFn === 'function'
  )
}

export interface ConcurrentCopies {
  /** Copies that waited for the first copy's validation. */
  readonly waited: number
  /** Copies validated without waiting because MAX_VALIDATIONS_TRACKED were under way. */
  readonly untracked: number
  /** Restores gossipsub's own method. */
  undo(): void
}

/** Makes concurrent copies of a message wait for the first one's validation (see above). */
export function serializeConcurrentCopies(pubsub: unknown): ConcurrentCopies {
  const counts = { waited: 0, untracked: 0 }
  if (!isValidating(pubsub)) return { ...counts, undo: () => undefined }
  const target = pubsub
  const own = Object.prototype.hasOwnProperty.call(target, 'validateReceivedMessage')
    ? target.validateReceivedMessage
    : undefined
  const original = target.validateReceivedMessage.bind(target)
  const ownFastId = Object.prototype.hasOwnProperty.call(target, 'fastMsgIdFn')
    ? target.fastMsgIdFn
    : undefined
  const fastId = target.fastMsgIdFn!.bind(target)
  // gossipsub asks for the id first thing, synchronously, in the call we make right after
  // computing it: the id of that one message is handed back instead of hashed again.
  let last: { message: unknown; id: string | undefined } | undefined
  target.fastMsgIdFn = (message) =>
    last !== undefined && message === last.message ? last.id : fastId(message)
  const underWay = new Map<string, Promise<unknown>>()
  target.validateReceivedMessage = async (source, message): Promise<unknown> => {
    const id = fastId(message)
    last = { message, id }
    if (id === undefined) return await original(source, message)
    const first = underWay.get(id)
    if (first !== undefined) {
      counts.waited++
      await first.catch(() => undefined)
      return await original(source, message)
    }
    if (underWay.size >= MAX_VALIDATIONS_TRACKED) {
      counts.untracked++
      return await original(source, message)
    }
    const validation = original(source, message)
    underWay.set(id, validation)
    try {
      return await validation
    } finally {
      underWay.delete(id)
    }
  }
  return {
    get waited() {
      return counts.waited
    },
    get untracked() {
      return counts.untracked
    },
    undo: () => {
      if (own === undefined) delete (target as Partial<ValidatingPubSub>).validateReceivedMessage
      else target.validateReceivedMessage = own
      if (ownFastId === undefined) delete (target as Partial<ValidatingPubSub>).fastMsgIdFn
      else target.fastMsgIdFn = ownFastId
    },
  }
}
