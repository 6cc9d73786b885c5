/**
 * Peer records in heartbeats over real libp2p nodes: a member's genuine, newer record lands in
 * the peer store; forged and stale ones are refused and counted, and change nothing stored.
 */
import { generateKeyPair } from '@libp2p/crypto/keys'
import type { PrivateKey } from '@libp2p/interface'
import { peerIdFromPrivateKey, peerIdFromString } from '@libp2p/peer-id'
import { PeerRecord, RecordEnvelope } from '@libp2p/peer-record'
import { multiaddr } from '@multiformats/multiaddr'
import { afterEach, describe, expect, it } from 'vitest'
import { encodeHeartbeat } from '../../src/membership/index.js'
import type { MeshPeer as MeshNode } from '../../src/peer/mesh-peer.js'
import { sealPeerRecord, storedRecordSeq } from '../../src/peers/index.js'
import { heartbeatPayload } from '../helpers/heartbeats.js'
import { MeshFixture, subscribersOf } from '../helpers/mesh.js'
import { until } from '../helpers/until.js'

const fixture = new MeshFixture()
afterEach(async () => await fixture.stopAll())

const base64 = (bytes: Uint8Array): string => Buffer.from(bytes).toString('base64')

async function sendRecord(sender: MeshNode, record: Uint8Array): Promise<void> {
  await sender.sendControl(
    'heartbeat',
    encodeHeartbeat(heartbeatPayload({ peerRecord: base64(record) })),
  )
}

describe('peer records in heartbeats', () => {
  it('stores a newer genuine record, refuses and counts forged and stale ones', async () => {
    const receiver = await fixture.node({}, { services: {} })
    // The sender is the messaging layer alone: the test writes its heartbeats by hand.
    const senderKey: PrivateKey = await generateKeyPair('Ed25519')
    const sender = await fixture.node(
      { bootstrap: [receiver.getMultiaddrs()[0]!] },
      { privateKey: senderKey },
    )
    await until(() => subscribersOf(sender, sender.topics.control).includes(receiver.peerId), {
      message: 'the receiver subscribed to the control topic',
    })
    const records = receiver.peers!.records
    const senderId = peerIdFromString(sender.peerId)
    const storedPeer = async () => await receiver.libp2p.peerStore.get(senderId)

    // Newer than whatever identify stored: accepted, its addresses replace the stored ones.
    const seq = BigInt(Date.now()) + 1_000_000n
    const genuineAddr = multiaddr('/ip4/127.0.0.1/tcp/1111')
    await sendRecord(sender, await sealPeerRecord(senderKey, [genuineAddr], seq))
    await until(() => records.stats().accepted === 1, { message: 'the genuine record accepted' })
    const afterGenuine = await storedPeer()
    expect(storedRecordSeq(afterGenuine.peerRecordEnvelope)).toBe(seq)
    expect(afterGenuine.addresses.map((a) => a.multiaddr.toString())).toEqual([
      genuineAddr.toString(),
    ])

    // Older seq: STALE.
    const evil = multiaddr('/ip4/6.6.6.6/tcp/666')
    await sendRecord(sender, await sealPeerRecord(senderKey, [evil], seq - 1n))
    await until(() => records.stats().refused.STALE === 1, { message: 'the stale record refused' })

    // Another peer's key signing a record that names the sender: WRONG_PEER.
    const mallory = await generateKeyPair('Ed25519')
    const named = new PeerRecord({ peerId: senderId, multiaddrs: [evil], seqNumber: seq + 1n })
    await sendRecord(sender, (await RecordEnvelope.seal(named, mallory)).marshal().subarray())
    // Mallory's own genuine record relayed in the sender's heartbeat: WRONG_PEER too.
    await sendRecord(sender, await sealPeerRecord(mallory, [evil], seq + 2n))
    await until(() => records.stats().refused.WRONG_PEER === 2, { message: 'both refused' })
    expect(peerIdFromPrivateKey(mallory).toString()).not.toBe(sender.peerId)

    // The sender's signature over other addresses: BAD_SIGNATURE.
    const genuine = RecordEnvelope.createFromProtobuf(
      await sealPeerRecord(senderKey, [genuineAddr], seq + 3n),
    )
    const payload = new PeerRecord({
      peerId: senderId,
      multiaddrs: [evil],
      seqNumber: seq + 3n,
    }).marshal()
    await sendRecord(sender, new RecordEnvelope({ ...genuine, payload }).marshal().subarray())
    await until(() => records.stats().refused.BAD_SIGNATURE === 1, {
      message: 'the forgery refused',
    })

    expect(records.stats()).toMatchObject({
      accepted: 1,
      refused: { MALFORMED: 0, BAD_SIGNATURE: 1, WRONG_PEER: 2, STALE: 1 },
    })
    const after = await storedPeer()
    expect(storedRecordSeq(after.peerRecordEnvelope)).toBe(seq)
    expect(after.addresses.map((a) => a.multiaddr.toString())).not.toContain(evil.toString())
    // The same genuine record again is not checked again: unchanged.
    const unchangedBefore = records.stats().unchanged
    await sendRecord(sender, await sealPeerRecord(senderKey, [genuineAddr], seq))
    await until(() => records.stats().unchanged > unchangedBefore, { message: 'unchanged counted' })
  })

  it('a member’s heartbeats carry its own record, which identify serves too', async () => {
    const a = await fixture.node({}, { services: {} })
    const b = await fixture.node({ bootstrap: [a.getMultiaddrs()[0]!] }, { services: {} })
    await until(() => a.peers!.records.stats().accepted + a.peers!.records.stats().unchanged >= 1, {
      message: "b's record reached a",
    })
    const own = Buffer.from(b.peers!.records.current()!, 'base64')
    const stored = (await a.libp2p.peerStore.get(peerIdFromString(b.peerId))).peerRecordEnvelope
    // One record of b's everywhere: what identify gave a is what b's heartbeats carry.
    expect(Buffer.from(stored!).equals(own)).toBe(true)
    expect(a.peers!.records.stats().refused).toEqual({
      MALFORMED: 0,
      BAD_SIGNATURE: 0,
      WRONG_PEER: 0,
      STALE: 0,
    })
  })
})
