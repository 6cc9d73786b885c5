/**
 * Real attacks for observer tests and demos: each one a MeshNode misbehaving on the wire.
 * - forger: another network key, so its pattern values are wrong (PATTERN_MISMATCH);
 * - tamperer: the right key, a payload byte altered after sealing (TAG_MISMATCH);
 * - replayer: republishes gossip messages it captured, signed by itself (REPLAY);
 * - step liar: moves its clock far ahead, announces and sends there (STEP_DIVERGENCE, STEP_SKEW).
 */
import type { Message } from '@libp2p/gossipsub'
import type { MeshPeer as MeshNode } from '../../src/peer/mesh-peer.js'
import { TAG_BYTES, encodeBatch, sealEnvelope } from '../../src/protocol/index.js'

/** Publishes one data frame whose payload was altered after its tag was computed. */
export async function publishTampered(node: MeshNode, text: string): Promise<void> {
  const frame = sealEnvelope(node.generator, {
    kind: 'data',
    senderId: node.peerId,
    globalStep: node.step,
    seq: Date.now() * 1000 + Math.floor(Math.random() * 1000),
    timestamp: Date.now(),
    data: Buffer.from(text, 'utf8'),
  })
  frame[frame.length - TAG_BYTES - 1]! ^= 0x01 // the payload's last byte
  await node.libp2p.services.pubsub.publish(node.topics.data, encodeBatch([frame]))
}

/**
 * Captures the data-topic gossip messages a node receives, to republish them later; not those
 * signed by `notFrom` (a node never sees its own frames come in, so it does not remember their
 * sequence numbers: a replay of them is a stolen frame to it, UNKNOWN_SENDER, not a REPLAY).
 */
export function captureData(
  node: MeshNode,
  notFrom?: string,
): { captured: Uint8Array[]; stop: () => void } {
  const captured: Uint8Array[] = []
  const pubsub = node.libp2p.services.pubsub
  const onMessage = (event: CustomEvent<Message>): void => {
    const message = event.detail
    if (message.topic !== node.topics.data) return
    if (message.type === 'signed' && message.from.toString() === notFrom) return
    captured.push(message.data)
  }
  pubsub.addEventListener('message', onMessage)
  return { captured, stop: () => pubsub.removeEventListener('message', onMessage) }
}

/** Republishes captured gossip data under the replayer's own signature. */
export async function replay(node: MeshNode, batches: readonly Uint8Array[]): Promise<void> {
  for (const batch of batches) await node.libp2p.services.pubsub.publish(node.topics.data, batch)
}

export { ATTACKER_LIBP2P } from '../../src/sim/attackers/attackers.js'
