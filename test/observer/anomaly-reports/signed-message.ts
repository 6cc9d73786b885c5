/** A gossip message signed as gossipsub's StrictSign signs it, for evidence tests. */
import { generateKeyPair } from '@libp2p/crypto/keys'
import type { SignedMessage } from '@libp2p/gossipsub'
import { RPC } from '@libp2p/gossipsub/message'
import type { PrivateKey } from '@libp2p/interface'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'

export async function signedMessage(
  data: Uint8Array,
  options: { topic?: string; seqno?: bigint; privateKey?: PrivateKey } = {},
): Promise<SignedMessage> {
  const privateKey = options.privateKey ?? (await generateKeyPair('Ed25519'))
  const from = peerIdFromPrivateKey(privateKey)
  const topic = options.topic ?? '/patternmesh/test/data/1'
  const sequenceNumber = options.seqno ?? 0x0123456789abcdefn
  const seqno = new Uint8Array(8)
  new DataView(seqno.buffer).setBigUint64(0, sequenceNumber, false)
  const bytes = RPC.Message.encode({ from: from.toMultihash().bytes, data, seqno, topic })
  const prefix = new TextEncoder().encode('libp2p-pubsub:')
  const signature = await privateKey.sign(Buffer.concat([prefix, bytes]))
  return {
    type: 'signed',
    from,
    data,
    sequenceNumber,
    topic,
    signature,
    key: privateKey.publicKey,
  }
}
