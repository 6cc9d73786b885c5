/**
 * The heads exchange (PROTOCOL.md §9): a peer is asked what it retains, and what of it never
 * reached us is noted in the ledger as missing. Done with one random connected peer every
 * HEADS_INTERVAL_MS, and at once with a peer that (re)connects or a sender whose seqs jumped.
 */
import type { NodeIdentity } from '../node/ports.js'
import { CONNECT_HEADS_GAP_MS, HEADS_INTERVAL_MS } from './constants.js'
import type { DeliveryLedger } from './ledger.js'
import type { UsableAnswer } from './repair-client.js'
import type { RepairRequest } from './wire.js'

export interface HeadsExchangeComponents {
  identity: NodeIdentity
  ledger: DeliveryLedger
  now: () => number
  random: () => number
  /** One repair request (the asking side's). */
  request: (peerId: string, request: RepairRequest) => Promise<UsableAnswer | undefined>
  /** The peers that may be asked now. */
  connected: () => string[]
}

export class HeadsExchange {
  private readonly c: HeadsExchangeComponents
  private nextAt = 0
  /** Until when a (re)connected peer waits instead of being asked at once. */
  private connectFreeAt = 0
  /** The last peer that connected during the gap: asked when it ends. */
  private connectWaiting: string | undefined

  constructor(components: HeadsExchangeComponents) {
    this.c = components
  }

  /** Asks `peerId` what it retains, and notes what of it never reached us. */
  async exchange(peerId: string): Promise<number> {
    const answer = await this.c.request(peerId, { v: 1, op: 'heads' })
    if (answer?.kind !== 'heads') return 0
    let added = 0
    const now = this.c.now()
    for (const head of answer.heads) {
      if (head.sender === this.c.identity.peerId) continue
      added += this.c.ledger.noteRetained(head.sender, head.ranges, now)
    }
    return added
  }

  /**
   * A peer (re)connected: it may bring what a partition or a restart kept from us. One peer's
   * heads cover every sender it retains, so at most one such exchange runs per
   * `CONNECT_HEADS_GAP_MS`; a peer connecting during the gap replaces the one waiting and is
   * asked when the gap ends (a node joining a mesh connects to a dozen peers in a few seconds).
   */
  connected(peerId: string, now: number): void {
    if (now < this.connectFreeAt) {
      this.connectWaiting = peerId
      return
    }
    this.connectFreeAt = now + CONNECT_HEADS_GAP_MS
    void this.exchange(peerId)
  }

  /** The schedule: a waiting connected peer once its gap ended; when due, one at random. */
  tick(now: number): void {
    const waiting = this.connectWaiting
    if (waiting !== undefined && now >= this.connectFreeAt) {
      this.connectWaiting = undefined
      this.connectFreeAt = now + CONNECT_HEADS_GAP_MS
      void this.exchange(waiting)
    }
    if (now < this.nextAt) return
    this.nextAt = now + HEADS_INTERVAL_MS
    const peers = this.c.connected()
    const peer = peers[Math.floor(this.c.random() * peers.length)]
    if (peer !== undefined) void this.exchange(peer)
  }
}
