/**
 * One request, one response over a libp2p stream, each a length-prefixed message with a size
 * limit and a deadline. The sync and advice-sync protocols are built on it.
 */
import type { Libp2p, PeerId, Stream } from '@libp2p/interface'
import { lpStream } from '@libp2p/utils'

export interface RequestOptions {
  timeoutMs: number
  maxResponseBytes: number
}

export interface ServeOptions {
  timeoutMs: number
  maxRequestBytes: number
  /** Concurrent inbound streams per connection for this protocol. */
  maxInboundStreams?: number
  onError?: (err: unknown, peerId: string) => void
}

export type RequestHandler = (
  request: Uint8Array,
  peerId: string,
) => Uint8Array | Promise<Uint8Array>

type Node = Pick<Libp2p, 'dialProtocol' | 'handle' | 'unhandle'>

export async function requestOnce(
  node: Node,
  peer: PeerId,
  protocol: string,
  request: Uint8Array,
  options: RequestOptions,
): Promise<Uint8Array> {
  const signal = AbortSignal.timeout(options.timeoutMs)
  const stream = await node.dialProtocol(peer, protocol, { signal })
  try {
    const lp = lpStream(stream, { maxDataLength: options.maxResponseBytes })
    await lp.write(request, { signal })
    const response = await lp.read({ signal })
    await stream.close({ signal }).catch(() => undefined)
    return response.subarray()
  } catch (err) {
    stream.abort(err instanceof Error ? err : new Error(String(err)))
    throw err
  }
}

export async function serveRequests(
  node: Node,
  protocol: string,
  handler: RequestHandler,
  options: ServeOptions,
): Promise<void> {
  await node.handle(
    protocol,
    async (stream: Stream, connection) => {
      const peerId = connection.remotePeer.toString()
      const signal = AbortSignal.timeout(options.timeoutMs)
      try {
        const lp = lpStream(stream, { maxDataLength: options.maxRequestBytes })
        const request = await lp.read({ signal })
        await lp.write(await handler(request.subarray(), peerId), { signal })
        await stream.close({ signal })
      } catch (err) {
        options.onError?.(err, peerId)
        stream.abort(err instanceof Error ? err : new Error(String(err)))
      }
    },
    { maxInboundStreams: options.maxInboundStreams ?? 4, force: true },
  )
}
