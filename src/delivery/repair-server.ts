/**
 * The serving side of `/patternmesh/repair/1.0.0` (PROTOCOL.md §9): a request for heads is
 * answered with what the retention buffer holds, a request for frames with those of them it
 * still holds and would accept now (at most MAX_ANSWER_BYTES); a malformed or too large request
 * is refused with an error answer and counted.
 */
import type { Logger } from 'pino'
import type { Libp2pSurface } from '../node/ports.js'
import { serveRequests } from '../rpc/request-response.js'
import {
  MAX_ANSWER_BYTES,
  MAX_REQUEST_BYTES,
  REPAIR_PROTOCOL,
  REQUEST_TIMEOUT_MS,
} from './constants.js'
import type { RetentionBuffer } from './retention.js'
import { decodeRequest, encodeError, encodeFrames, encodeHeads } from './wire.js'

export interface RepairServerComponents {
  libp2p: Libp2pSurface
  retention: RetentionBuffer
  /** The service's counters: refused requests, frames withheld. */
  counts: { refused: number; withheld: number }
  /**
   * Whether this node would accept a retained frame now. One stamped under a key removed since
   * is withheld, not served: the asker no longer holds that key either and would take the frame
   * for a forgery of ours.
   */
  vouch?: (frame: Uint8Array) => boolean
  now: () => number
  log?: Logger
}

/** Registers the handler of the repair protocol; `unserveRepair` removes it. */
export async function serveRepair(c: RepairServerComponents): Promise<void> {
  await serveRequests(c.libp2p, REPAIR_PROTOCOL, (req, peer) => answerRepair(c, req, peer), {
    timeoutMs: REQUEST_TIMEOUT_MS,
    maxRequestBytes: MAX_REQUEST_BYTES,
    maxInboundStreams: 8,
    onError: (err, peerId) => c.log?.debug({ err, peerId }, 'repair request failed'),
  })
}

export async function unserveRepair(libp2p: Libp2pSurface): Promise<void> {
  await libp2p.unhandle(REPAIR_PROTOCOL).catch(() => undefined)
}

/** The answer to one request of `peerId`. */
export function answerRepair(
  c: RepairServerComponents,
  bytes: Uint8Array,
  peerId: string,
): Uint8Array {
  const request = decodeRequest(bytes)
  if (!request.ok) {
    c.counts.refused++
    c.log?.info({ peerId, error: request.error, detail: request.detail }, 'repair request refused')
    return encodeError(request.error, request.detail)
  }
  c.retention.evict(c.now())
  const r = request.value
  if (r.op === 'heads') return encodeHeads(c.retention.heads(peerId))
  const frames = c.retention.collect(r.sender, r.ranges, MAX_ANSWER_BYTES)
  const vouch = c.vouch
  if (vouch === undefined) return encodeFrames(frames)
  const served = frames.filter((frame) => vouch(frame))
  c.counts.withheld += frames.length - served.length
  return encodeFrames(served)
}
