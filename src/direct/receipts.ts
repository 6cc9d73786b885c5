/**
 * Receipts of acknowledged broadcasts (DESIGN §15), pulled by the sender. Why pull: a push
 * receipt per message would cost every receiver a frame for every broadcast, asked for or
 * not; pulled, only `ack` broadcasts cost anything, and all the seqs one member still owes are
 * asked in one sealed query per poll (batched), answered from a bitmap per sender. Polls start
 * 20 ms after a broadcast (gossip delivery on a LAN) and back off to 500 ms.
 */
import { sleep } from '../util/abortable.js'
import {
  MAX_PENDING_ACKS,
  MAX_RECEIPT_QUERY,
  RECEIPT_POLL_FIRST_MS,
  RECEIPT_POLL_MAX_MS,
} from './constants.js'
import { DirectBusyError } from './errors.js'

export interface AckOutcome {
  receipts: number
  members: number
  complete: boolean
}

interface PendingAck {
  seq: number
  waiting: Set<string>
  receipts: number
  members: number
  need: number
  done: (outcome: AckOutcome) => void
}

/** Asks `peerId` which of `seqs` (this node's data seqs) it delivered. */
export type ReceiptQuery = (
  peerId: string,
  seqs: number[],
  signal: AbortSignal,
) => Promise<number[]>

export class ReceiptTracker {
  private readonly query: ReceiptQuery
  private readonly pending = new Set<PendingAck>()
  private polling = false
  private rounds = 0
  private signal: AbortSignal | undefined

  constructor(query: ReceiptQuery) {
    this.query = query
  }

  start(signal: AbortSignal): void {
    this.signal = signal
    signal.addEventListener(
      'abort',
      () => {
        for (const ack of this.pending) this.finish(ack)
      },
      { once: true },
    )
  }

  get size(): number {
    return this.pending.size
  }

  /**
   * Waits until `need` of `members` confirmed `seq`, or `timeoutMs` passed (complete false).
   */
  async await(
    seq: number,
    members: readonly string[],
    need: number,
    timeoutMs: number,
  ): Promise<AckOutcome> {
    if (need <= 0) return { receipts: 0, members: members.length, complete: true }
    if (this.pending.size >= MAX_PENDING_ACKS)
      throw new DirectBusyError(`${MAX_PENDING_ACKS} acknowledged broadcasts are already waiting`)
    return await new Promise<AckOutcome>((resolve) => {
      const ack: PendingAck = {
        seq,
        waiting: new Set(members),
        receipts: 0,
        members: members.length,
        need,
        done: resolve,
      }
      const timer = setTimeout(() => this.finish(ack), timeoutMs)
      ack.done = (outcome) => {
        clearTimeout(timer)
        resolve(outcome)
      }
      this.pending.add(ack)
      this.rounds = 0
      if (this.signal?.aborted === true) this.finish(ack)
      else void this.poll()
    })
  }

  private finish(ack: PendingAck): void {
    if (!this.pending.delete(ack)) return
    ack.done({ receipts: ack.receipts, members: ack.members, complete: ack.receipts >= ack.need })
  }

  /** One loop while acks wait: every member owed something is asked once per round. */
  private async poll(): Promise<void> {
    if (this.polling) return
    this.polling = true
    try {
      while (this.pending.size > 0 && this.signal?.aborted !== true) {
        const delay = Math.min(
          RECEIPT_POLL_MAX_MS,
          RECEIPT_POLL_FIRST_MS * 2 ** Math.min(this.rounds, 5),
        )
        this.rounds++
        await sleep(delay, this.signal)
        const owed = new Map<string, number[]>()
        for (const ack of this.pending)
          for (const peerId of ack.waiting) {
            const seqs = owed.get(peerId) ?? []
            if (seqs.length < MAX_RECEIPT_QUERY) seqs.push(ack.seq)
            owed.set(peerId, seqs)
          }
        await Promise.all(
          [...owed].map(async ([peerId, seqs]) => {
            const seen = await this.query(peerId, seqs, this.signal!).catch(() => [])
            this.confirm(peerId, new Set(seen))
          }),
        )
      }
    } finally {
      this.polling = false
    }
  }

  private confirm(peerId: string, seen: ReadonlySet<number>): void {
    for (const ack of [...this.pending]) {
      if (!seen.has(ack.seq) || !ack.waiting.delete(peerId)) continue
      ack.receipts++
      if (ack.receipts >= ack.need) this.finish(ack)
    }
  }
}
