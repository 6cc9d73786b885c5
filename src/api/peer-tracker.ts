import { MAX_TRACKED_PEERS } from './constants.js'
import type { ApiNode, ApiNodeEvents } from './types.js'

interface Seen {
  step: number | null
  lastSeen: number
}

/**
 * What `/v1/peers` knows of a peer before a membership component exists: the last step it
 * announced (any accepted frame carries one) and when it was last heard from or connected.
 * Bounded: the least recently seen peers are forgotten first.
 */
export class PeerTracker {
  private readonly seen = new Map<string, Seen>()
  private readonly node: ApiNode
  private readonly max: number
  private attached = false

  constructor(node: ApiNode, max = MAX_TRACKED_PEERS) {
    this.node = node
    this.max = max
  }

  start(): void {
    if (this.attached) return
    this.attached = true
    this.node.addEventListener('verdict', this.onVerdict)
    this.node.addEventListener('peer.connected', this.onConnected)
  }

  stop(): void {
    if (!this.attached) return
    this.attached = false
    this.node.removeEventListener('verdict', this.onVerdict)
    this.node.removeEventListener('peer.connected', this.onConnected)
  }

  get(peerId: string): Seen | undefined {
    return this.seen.get(peerId)
  }

  private readonly onVerdict = (event: ApiNodeEvents['verdict']): void => {
    const { result, at } = event.detail
    if (result.verdict !== 'accept' || result.envelope === undefined) return
    const { senderId, globalStep } = result.envelope
    const previous = this.seen.get(senderId)?.step ?? null
    this.touch(senderId, previous === null ? globalStep : Math.max(previous, globalStep), at)
  }

  private readonly onConnected = (event: ApiNodeEvents['peer.connected']): void => {
    this.touch(event.detail.peerId, this.seen.get(event.detail.peerId)?.step ?? null, Date.now())
  }

  private touch(peerId: string, step: number | null, at: number): void {
    // Re-insert so that Map order is least recently seen first.
    this.seen.delete(peerId)
    this.seen.set(peerId, { step, lastSeen: at })
    while (this.seen.size > this.max) {
      const oldest = this.seen.keys().next().value
      if (oldest === undefined) break
      this.seen.delete(oldest)
    }
  }
}
