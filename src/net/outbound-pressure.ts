/**
 * Backpressure for gossipsub publishing. gossipsub writes to each peer's outbound stream
 * without looking at the result, and yamux buffers without limit, so a fast publisher builds a
 * backlog of seconds (stale steps) or gets the stream aborted at its buffer limit (loss). This
 * waits, before a publish, until every outbound gossipsub stream is below a high-water mark.
 */
import type { GossipSub } from '@libp2p/gossipsub'

/** What we read of a libp2p 3 stream (AbstractMessageStream has both). */
interface DrainableStream {
  writeBufferLength?: number
  writableNeedsDrain?: boolean
  onDrain?: (options?: { signal?: AbortSignal }) => Promise<void>
}

/**
 * Streams that stayed congested through a whole wait: a peer that stopped reading (a cut
 * cable, a connection half-closed by its gater) must cost one wait, not one per publish, or a
 * single stuck peer throttles the publisher to a batch per `timeoutMs`. A stream leaves the set
 * as soon as it is found below the mark again.
 */
const stuckStreams = new WeakSet<DrainableStream>()

function isCongested(raw: DrainableStream, highWaterBytes: number): boolean {
  return raw.writableNeedsDrain === true || (raw.writeBufferLength ?? 0) > highWaterBytes
}

/** The most congested outbound stream, or undefined when all are below `highWaterBytes`. */
export function congestedStream(
  pubsub: GossipSub,
  highWaterBytes: number,
): DrainableStream | undefined {
  // `rawStream` is private in gossipsub's types but public at run time; without it (another
  // gossipsub version) there is simply no backpressure.
  const streams = (
    pubsub as unknown as { streamsOutbound?: Map<string, { rawStream?: DrainableStream }> }
  ).streamsOutbound
  let worst: DrainableStream | undefined
  let worstBytes = highWaterBytes
  for (const outbound of streams?.values() ?? []) {
    const raw = outbound.rawStream
    if (raw === undefined) continue
    if (stuckStreams.has(raw)) {
      if (isCongested(raw, highWaterBytes)) continue
      stuckStreams.delete(raw)
    }
    const bytes = raw.writeBufferLength ?? 0
    if (raw.writableNeedsDrain === true || bytes > worstBytes) {
      worst = raw
      worstBytes = Math.max(bytes, worstBytes)
    }
  }
  return worst
}

/**
 * Resolves once no outbound stream is congested, or after `timeoutMs` (then `false`: the
 * caller publishes anyway and counts it; one stuck peer must not stop the mesh for ever).
 */
export async function waitForOutboundCapacity(
  pubsub: GossipSub,
  highWaterBytes: number,
  timeoutMs: number,
): Promise<boolean> {
  const deadline = Date.now() + timeoutMs
  for (
    let stream = congestedStream(pubsub, highWaterBytes);
    stream !== undefined;
    stream = congestedStream(pubsub, highWaterBytes)
  ) {
    const left = deadline - Date.now()
    if (left <= 0) {
      stuckStreams.add(stream)
      return false
    }
    // Always give the event loop a turn (onDrain may resolve at once: a microtask loop would
    // starve it); a buffer above the mark without the flag means the muxer is still sending.
    if (stream.writableNeedsDrain === true && stream.onDrain !== undefined) {
      await stream.onDrain({ signal: AbortSignal.timeout(left) }).catch(() => undefined)
      await new Promise((resolve) => setImmediate(resolve))
    } else {
      await new Promise((resolve) => setTimeout(resolve, 1))
    }
  }
  return true
}
