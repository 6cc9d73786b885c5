/**
 * Serial, bounded processing of advice work (received frames, pulled items, evaluations): one
 * at a time, so that the state, the log and the applier see one change at a time; beyond the
 * limit new work is dropped and counted, and anti-entropy fetches what it carried later.
 */
import type { Logger } from 'pino'

export interface IngestQueueComponents {
  /** Work items queued at most. */
  limit: number
  /** Called for each work item dropped because the queue was full. */
  onDrop: () => void
  logger?: Logger | undefined
}

export class IngestQueue {
  private readonly c: IngestQueueComponents
  private chain: Promise<void> = Promise.resolve()
  private queued = 0

  constructor(components: IngestQueueComponents) {
    this.c = components
  }

  /** Runs `work` after everything queued before it; never rejects (failures are logged). */
  enqueue(work: () => Promise<unknown>): Promise<void> {
    if (this.queued >= this.c.limit) {
      this.c.onDrop()
      return Promise.resolve()
    }
    this.queued++
    const next = this.chain.then(work).then(
      () => undefined,
      (err: unknown) => this.c.logger?.warn({ err }, 'advice processing failed'),
    )
    this.chain = next.finally(() => {
      this.queued--
    })
    return this.chain
  }

  /** Resolves once everything queued so far is done. */
  async drain(): Promise<void> {
    await this.chain
  }
}
