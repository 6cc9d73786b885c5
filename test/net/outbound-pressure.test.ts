import { describe, expect, it } from 'vitest'
import type { GossipSub } from '@libp2p/gossipsub'
import { congestedStream, waitForOutboundCapacity } from '../../src/net/outbound-pressure.js'

interface FakeStream {
  writeBufferLength: number
  writableNeedsDrain: boolean
  onDrain: (options?: { signal?: AbortSignal }) => Promise<void>
}

/** A stream whose onDrain resolves only when its signal aborts (a peer that stopped reading). */
function stuckStream(): FakeStream {
  return {
    writeBufferLength: 1_000_000,
    writableNeedsDrain: true,
    onDrain: async (options) =>
      await new Promise<void>((resolve) =>
        options?.signal?.addEventListener('abort', () => resolve()),
      ),
  }
}

function pubsubWith(...streams: FakeStream[]): GossipSub {
  return {
    streamsOutbound: new Map(streams.map((raw, i) => [`peer${i}`, { rawStream: raw }])),
  } as unknown as GossipSub
}

describe('outbound backpressure', () => {
  it('waits once for a stuck peer, then publishes past it until it drains', async () => {
    const stuck = stuckStream()
    const pubsub = pubsubWith(stuck, {
      ...stuckStream(),
      writableNeedsDrain: false,
      writeBufferLength: 0,
    })
    expect(congestedStream(pubsub, 1024)).toBe(stuck)
    expect(await waitForOutboundCapacity(pubsub, 1024, 50)).toBe(false)
    // The same stuck stream does not hold the next publishes.
    expect(congestedStream(pubsub, 1024)).toBeUndefined()
    expect(await waitForOutboundCapacity(pubsub, 1024, 50)).toBe(true)
    // Once it drained, it is watched again like any stream.
    stuck.writableNeedsDrain = false
    stuck.writeBufferLength = 0
    expect(congestedStream(pubsub, 1024)).toBeUndefined()
    stuck.writableNeedsDrain = true
    expect(congestedStream(pubsub, 1024)).toBe(stuck)
  })

  it('waits for a stream that drains in time', async () => {
    const slow: FakeStream = {
      writeBufferLength: 4096,
      writableNeedsDrain: true,
      onDrain: async () => {
        await new Promise((resolve) => setTimeout(resolve, 5))
        slow.writableNeedsDrain = false
        slow.writeBufferLength = 0
      },
    }
    expect(await waitForOutboundCapacity(pubsubWith(slow), 1024, 1000)).toBe(true)
    expect(slow.writableNeedsDrain).toBe(false)
  })
})
