/**
 * Copies of one gossip message arriving together cost one signature check: the later copies
 * wait for the first and are then duplicates. A forged first copy cannot suppress the real one.
 */
import { generateKeyPair } from '@libp2p/crypto/keys'
import { RPC } from '@libp2p/gossipsub/message'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { signedMessage } from '../observer/anomaly-reports/signed-message.js'
import { Cleanup, memoryNode } from './helpers.js'

const TOPIC = '/patternmesh/test/data/1'
const cleanup = new Cleanup()
afterEach(async () => {
  vi.restoreAllMocks()
  await cleanup.run()
})

/** Counts ed25519 signature checks (gossipsub checks with the sender's public key). */
async function countVerifications(): Promise<{ calls: () => number }> {
  const key = (await generateKeyPair('Ed25519')).publicKey
  const spy = vi.spyOn(Object.getPrototypeOf(key) as { verify: () => unknown }, 'verify')
  return { calls: () => spy.mock.calls.length }
}

interface Validating {
  validateReceivedMessage(source: unknown, message: RPC.Message): Promise<{ code: string }>
}

async function rpcMessage(seqno: bigint): Promise<RPC.Message> {
  const privateKey = await generateKeyPair('Ed25519')
  const data = new TextEncoder().encode(`message ${seqno}`)
  const signed = await signedMessage(data, { topic: TOPIC, seqno, privateKey })
  const bytes = new Uint8Array(8)
  new DataView(bytes.buffer).setBigUint64(0, seqno, false)
  return {
    from: peerIdFromPrivateKey(privateKey).toMultihash().bytes,
    data,
    seqno: bytes,
    topic: TOPIC,
    signature: signed.signature,
  }
}

describe('concurrent copies of a gossip message', () => {
  it('are checked once: the copies that arrive while the first is checked are duplicates', async () => {
    const node = await memoryNode(cleanup, { topics: [TOPIC] })
    const pubsub = node.services.pubsub as unknown as Validating
    const source = peerIdFromPrivateKey(await generateKeyPair('Ed25519'))
    const message = await rpcMessage(1n)
    const verifications = await countVerifications()
    const codes = await Promise.all(
      [0, 1, 2].map(async () => (await pubsub.validateReceivedMessage(source, message)).code),
    )
    expect(codes).toEqual(['valid', 'duplicate', 'duplicate'])
    expect(verifications.calls()).toBe(1)
    // A different message is not held up by it.
    expect((await pubsub.validateReceivedMessage(source, await rpcMessage(2n))).code).toBe('valid')
  })

  it('a forged copy first does not suppress the real one', async () => {
    const node = await memoryNode(cleanup, { topics: [TOPIC] })
    const pubsub = node.services.pubsub as unknown as Validating
    const source = peerIdFromPrivateKey(await generateKeyPair('Ed25519'))
    const real = await rpcMessage(3n)
    const signature = Uint8Array.from(real.signature!)
    signature[0]! ^= 0xff
    const forged = { ...real, signature }
    const verifications = await countVerifications()
    const codes = await Promise.all([
      pubsub.validateReceivedMessage(source, forged),
      pubsub.validateReceivedMessage(source, real),
    ])
    expect(codes.map((result) => result.code)).toEqual(['invalid', 'valid'])
    expect(verifications.calls()).toBe(2)
  })
})
