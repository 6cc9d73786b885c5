/**
 * An in-process libp2p transport for simulations whose connections apply network conditions
 * (latency, jitter, loss), so that libp2p, noise, yamux and gossipsub run for real over it.
 *
 * ```ts
 * const net = conditionedMemory({ conditions: { latencyMs: 20, jitterMs: 5, loss: 0.01 }, seed: 7 })
 * const a = await createLibp2p({ addresses: { listen: ['/memory/a'] }, transports: [net], ... })
 * net.network.table?.setBetween('a', 'b', { latencyMs: 80 }) // node names or peer ids
 * net.network.stats() // segments, retransmissions, bytes queued, timers armed, …
 * ```
 *
 * Addresses are `/memory/<name>` in a namespace of the factory's own (`network`): every node
 * built from one factory can dial every other; nodes of @libp2p/memory or of another factory
 * cannot be reached (so parallel simulations and tests do not collide on names).
 *
 * The model, per direction of a connection (a "link"):
 * - Data travels in segments: each write of the encrypted byte stream (at most 64 KiB).
 * - A segment sent at t is delivered at max(previous delivery on the link, t + latency + U ×
 *   jitter), U uniform in [0, 1). Order is kept (as TCP does) and delays overlap: throughput is
 *   not capped at one segment per latency (unlike @libp2p/memory's `latency`, which waits for
 *   every buffer in turn). One timer per link, armed for the head of its queue.
 * - Loss: bytes cannot be dropped from a reliable, encrypted stream (noise would fail), so loss
 *   is modelled as a reliable transport sees it: each segment is lost with probability `loss`
 *   and retransmitted after max(200 ms, 2 × (latency + jitter)); the retransmission may be
 *   lost again (geometric, at most 16 times). The segments behind it wait for it (head-of-line
 *   blocking). `stats().segmentsRetransmitted` and `retransmissions` count them.
 * - Conditions are read for every segment sent (from `ConditionsTable` or a function of the
 *   two ends): changes apply to what is sent next; segments in flight keep their times.
 * - Set-up: a dial takes one round trip of base latency before the noise handshake starts.
 * - Deterministic: every link draws from its own mulberry32, seeded from `seed` and the link's
 *   ends (node names, else peer ids), direction and how many connections that pair opened
 *   before. The same seed gives the same delays for the same segments on the same link, what
 *   other links do notwithstanding. (A whole libp2p run is not replayed exactly: how the byte
 *   stream is cut into segments, and when, depends on CPU timing.)
 * - Bounded: a link holds at most `maxQueuedBytes` (1 MiB) in flight; beyond that `sendData`
 *   returns `canSendMore: false` and the sender gets `drain` once the link is half empty. A
 *   receiver that pauses reading holds its inbound link, which then fills and pushes back.
 * - Closing an end sends the end of its stream after its data; on delivery the other end
 *   closes (as with @libp2p/memory). Aborting an end discards both directions' data in flight
 *   and resets the other end at once. A node's transport, after the node stops, aborts its ends
 *   that are still open: nothing (queue, timer) outlives `stop()`.
 */
import type { Transport } from '@libp2p/interface'
import { ConditionedMemoryNetwork, type ConditionedMemoryInit } from './network.js'
import { ConditionedMemoryTransport, type ConditionedMemoryComponents } from './transport.js'

export {
  ANY,
  ConditionsTable,
  PERFECT_CONDITIONS,
  endpointKey,
  normalizeConditions,
  resolveConditions,
  validateConditions,
  type ConditionsFn,
  type NetworkConditions,
  type SimEndpoint,
} from './conditions.js'
export {
  DEFAULT_MAX_QUEUED_BYTES,
  DEFAULT_SEED,
  MAX_LOSS,
  MAX_RETRANSMISSIONS,
  MAX_SEGMENT_BYTES,
  MIN_RETRANSMIT_MS,
} from './constants.js'
export {
  deliveryTime,
  hashString,
  linkSeed,
  mulberry32,
  retransmitDelayMs,
  sampleSegmentDelay,
  type Rng,
  type SegmentDelay,
} from './delay-model.js'
export { InvalidConditionsError } from './errors.js'
export { ConditionedMemoryNetwork, type ConditionedMemoryInit } from './network.js'
export type { SimTransportStats } from './stats.js'
export { ConditionedMemoryTransport, type ConditionedMemoryComponents } from './transport.js'

/** A transport factory for `createLibp2p({ transports: [...] })`, with its shared network. */
export type ConditionedMemoryFactory = ((components: ConditionedMemoryComponents) => Transport) & {
  readonly network: ConditionedMemoryNetwork
}

/**
 * Creates a network and returns the transport factory of its nodes: pass the same factory to
 * every node of the simulation. Throws `InvalidConditionsError` for conditions out of range.
 */
export function conditionedMemory(init: ConditionedMemoryInit): ConditionedMemoryFactory {
  const network = new ConditionedMemoryNetwork(init)
  const factory = (components: ConditionedMemoryComponents): Transport =>
    new ConditionedMemoryTransport(components, network)
  return Object.assign(factory, { network })
}
