import { describe, expect, it } from 'vitest'
import { SendQueueFullError } from '../../src/errors.js'
import { OutboundBatcher, type OutboundBatcherInit } from '../../src/node/index.js'

interface Harness {
  batcher: OutboundBatcher<number>
  published: number[][]
  release: () => void
}

/** A batcher whose publish waits for `release()` when `hold` is set; receipts are payload[0]. */
function harness(overrides: Partial<OutboundBatcherInit<number>> = {}, hold = false): Harness {
  const published: number[][] = []
  let waiting: Array<() => void> = []
  const batcher = new OutboundBatcher<number>({
    sealBatch: (payloads) => ({
      batch: Uint8Array.from(payloads.map((p) => p[0]!)),
      receipts: payloads.map((p) => p[0]!),
    }),
    publish: async (batch) => {
      if (hold) await new Promise<void>((resolve) => waiting.push(resolve))
      published.push([...batch])
    },
    maxMessages: 4,
    maxBytes: 1024,
    // Long enough that a millisecond tick between two synchronous enqueues cannot cut a batch.
    lingerMs: 20,
    queueLimit: 100,
    waitTimeoutMs: 1000,
    ...overrides,
  })
  return {
    batcher,
    published,
    release: () => {
      const wake = waiting
      waiting = []
      for (const resolve of wake) resolve()
    },
  }
}

const payload = (n: number, size = 1): Uint8Array => Uint8Array.from({ length: size }, () => n)

describe('OutboundBatcher', () => {
  it('cuts full batches at maxMessages and lingering ones after lingerMs, in order', async () => {
    const { batcher, published } = harness()
    const receipts = await Promise.all(
      [1, 2, 3, 4, 5, 6].map(async (n) => await batcher.enqueue(payload(n))),
    )
    expect(receipts).toEqual([1, 2, 3, 4, 5, 6])
    expect(published).toEqual([
      [1, 2, 3, 4],
      [5, 6],
    ])
    expect(batcher.stats()).toMatchObject({ batchesPublished: 2, framesPublished: 6, queued: 0 })
  })

  it('cuts a batch before it passes maxBytes, and always sends a payload larger than that', async () => {
    const { batcher, published } = harness({ maxBytes: 10, maxMessages: 100 })
    await Promise.all(
      [payload(1, 6), payload(2, 6), payload(3, 20), payload(4, 2)].map(
        async (p) => await batcher.enqueue(p),
      ),
    )
    expect(published).toEqual([[1], [2], [3], [4]])
  })

  it('makes callers wait in line when the queue is full, keeping their order', async () => {
    const h = harness({ queueLimit: 2, maxMessages: 1 }, true)
    const receipts = [1, 2, 3, 4, 5].map(async (n) => await h.batcher.enqueue(payload(n)))
    // Let one publish through at a time until all five are out (bounded: 50 rounds).
    for (let round = 0; round < 50 && h.published.length < 5; round++) {
      h.release()
      await new Promise((resolve) => setTimeout(resolve, 2))
    }
    expect(await Promise.all(receipts)).toEqual([1, 2, 3, 4, 5])
    expect(h.published.flat()).toEqual([1, 2, 3, 4, 5])
  })

  it('fails with SendQueueFullError when the queue stays full, and counts it', async () => {
    const h = harness({ queueLimit: 1, maxMessages: 1, waitTimeoutMs: 30 }, true)
    const first = h.batcher.enqueue(payload(1))
    await expect(h.batcher.enqueue(payload(2))).rejects.toBeInstanceOf(SendQueueFullError)
    expect(h.batcher.stats().framesRefused).toBe(1)
    h.release()
    expect(await first).toBe(1)
  })

  it('rejects what is still queued when it is drained past its timeout, and counts it', async () => {
    const h = harness({ maxMessages: 1 }, true)
    const stuck = [1, 2, 3].map((n) => h.batcher.enqueue(payload(n)).catch((err: unknown) => err))
    await h.batcher.drain(20)
    h.release()
    const outcomes = await Promise.all(stuck)
    expect(outcomes[0]).toBe(1)
    expect(outcomes.slice(1).every((o) => o instanceof SendQueueFullError)).toBe(true)
    expect(h.batcher.stats().framesFailed).toBe(2)
    await expect(h.batcher.enqueue(payload(9))).rejects.toBeInstanceOf(SendQueueFullError)
  })

  it('reports a failed publish to every caller of the batch and counts the frames', async () => {
    const batcher = new OutboundBatcher<number>({
      sealBatch: (payloads) => ({ batch: new Uint8Array(1), receipts: payloads.map(() => 0) }),
      publish: async () => {
        throw new Error('gossipsub said no')
      },
      maxMessages: 2,
      maxBytes: 1024,
      lingerMs: 1,
      queueLimit: 10,
      waitTimeoutMs: 100,
    })
    const results = await Promise.allSettled([
      batcher.enqueue(payload(1)),
      batcher.enqueue(payload(2)),
    ])
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected'])
    expect(batcher.stats().framesFailed).toBe(2)
  })
})
