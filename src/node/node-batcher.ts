/**
 * The data send path: payloads queue in an OutboundBatcher and are sealed straight into one
 * batch buffer at publish time (fresh step, sequence numbers in wire order), then published
 * on the data topic when the peers' streams have room.
 */
import type { MeshConfig } from '../config/index.js'
import { waitForOutboundCapacity, type MeshLibp2p } from '../net/index.js'
import type { PatternKeys } from '../pattern/index.js'
import {
  TAG_BYTES,
  sealEnvelopeInto,
  sealedLength,
  writeBatch,
  type EnvelopeFields,
} from '../protocol/index.js'
import { OutboundBatcher } from './outbound-batcher.js'
import type { BroadcastReceipt } from './ports.js'

/**
 * Bytes buffered on a peer's gossipsub stream before publishing waits: about 1,000 frames of
 * 200 B, a few ms of sending on loopback, so a backlog never outlives a step.
 */
const OUTBOUND_HIGH_WATER_BYTES = 256 * 1024

/**
 * Payload bytes per gossip message. gossipsub refuses RPCs over 4 MiB and receivers batches
 * over `maxBatchBytes` (1 MiB or more); half a mebibyte keeps every batch well inside both.
 */
const MAX_BATCH_PAYLOAD_BYTES = 512 * 1024

export type NodeBatcher = OutboundBatcher<BroadcastReceipt>

export interface NodeBatcherInit {
  pubsub: MeshLibp2p['services']['pubsub']
  topic: string
  generator: PatternKeys
  /** The live config: batching and timeouts are read from it. */
  config: MeshConfig
  /** Sender and step of the frames sealed now. */
  fields: () => Pick<EnvelopeFields, 'senderId' | 'globalStep'>
  /** The first data sequence number of this run. */
  firstSeq: number
  onPublishError: (err: unknown, frames: number) => void
  /** Each sealed frame (a view into the batch), for retention: our own broadcasts are repaired too. */
  onSealed?: (frames: ReadonlyArray<{ seq: number; frame: Uint8Array }>) => void
}

export function createNodeBatcher(init: NodeBatcherInit): NodeBatcher {
  const { pubsub, config, generator } = init
  let nextSeq = init.firstSeq
  const sealBatch = (
    payloads: readonly Uint8Array[],
  ): { batch: Uint8Array; receipts: BroadcastReceipt[] } => {
    const now = init.fields()
    const timestamp = Date.now()
    const fields = payloads.map((data): EnvelopeFields => ({
      kind: 'data',
      ...now,
      seq: nextSeq++,
      timestamp,
      data,
    }))
    const receipts: BroadcastReceipt[] = []
    const sealed: Array<{ seq: number; frame: Uint8Array }> = []
    const batch = writeBatch(
      fields.map((f) => sealedLength(f)),
      (i, target, offset) => {
        const end = sealEnvelopeInto(generator, fields[i]!, target, offset)
        receipts.push(receiptOf(fields[i]!, target, end))
        sealed.push({ seq: fields[i]!.seq, frame: target.subarray(offset, end) })
      },
    )
    init.onSealed?.(sealed)
    return { batch, receipts }
  }
  return new OutboundBatcher<BroadcastReceipt>({
    sealBatch,
    publish: async (batch) => {
      await pubsub.publish(init.topic, batch)
    },
    gate: async () =>
      await waitForOutboundCapacity(pubsub, OUTBOUND_HIGH_WATER_BYTES, config.timeoutMs),
    maxMessages: config.batchMaxMessages,
    maxBytes: MAX_BATCH_PAYLOAD_BYTES,
    lingerMs: config.batchLingerMs,
    queueLimit: config.sendQueueLimit,
    waitTimeoutMs: config.timeoutMs,
    onPublishError: init.onPublishError,
  })
}

/** A receipt from the sealed frame: the tag (the message id) ends at `end` in `bytes`. */
export function receiptOf(fields: EnvelopeFields, bytes: Buffer, end: number): BroadcastReceipt {
  return {
    id: bytes.toString('hex', end - TAG_BYTES, end),
    step: fields.globalStep,
    seq: fields.seq,
  }
}
