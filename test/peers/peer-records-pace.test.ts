/**
 * New members' records are checked at a pace: a burst, then `checksPerSecond`; the ones over
 * it are counted and left for the member's next heartbeat, which is checked once time passed.
 */
import { generateKeyPair } from '@libp2p/crypto/keys'
import type { PrivateKey } from '@libp2p/interface'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { multiaddr } from '@multiformats/multiaddr'
import { TypedEventEmitter } from 'main-event'
import { describe, expect, it } from 'vitest'
import type { MembershipEvents } from '../../src/membership/events.js'
import { PeerRecords, sealPeerRecord } from '../../src/peers/index.js'
import { heartbeatPayload } from '../helpers/heartbeats.js'
import { until } from '../helpers/until.js'

class NotFoundError extends Error {
  override name = 'NotFoundError'
}

describe('peer record pace', () => {
  it('checks a burst at once, then checksPerSecond; the rest wait for a later heartbeat', async () => {
    let clock = 1_000_000
    const heartbeats = new TypedEventEmitter<MembershipEvents>()
    const stored: string[] = []
    const self = await generateKeyPair('Ed25519')
    const records = new PeerRecords(
      {
        identity: { peerId: peerIdFromPrivateKey(self).toString() },
        privateKey: self,
        libp2p: {
          getMultiaddrs: () => [],
          addEventListener: () => undefined,
          removeEventListener: () => undefined,
          peerStore: {
            get: async () => await Promise.reject(new NotFoundError('none')),
            patch: async (id: { toString(): string }) => {
              stored.push(id.toString())
              return await Promise.resolve({} as never)
            },
            merge: async () => await Promise.resolve({} as never),
          } as never,
        },
        heartbeats,
      },
      { maxVerifications: 4, checksPerSecond: 2, now: () => clock },
    )
    await records.start()
    const members: Array<{ id: string; record: string }> = []
    for (let i = 0; i < 8; i++) {
      const key: PrivateKey = await generateKeyPair('Ed25519')
      const bytes = await sealPeerRecord(key, [multiaddr(`/ip4/127.0.0.1/tcp/${4000 + i}`)], 1n)
      members.push({
        id: peerIdFromPrivateKey(key).toString(),
        record: Buffer.from(bytes).toString('base64'),
      })
    }
    const beat = async (member: { id: string; record: string }) => {
      const before = records.stats()
      heartbeats.safeDispatchEvent('members.heartbeat', {
        detail: {
          peerId: member.id,
          heartbeat: heartbeatPayload({ peerRecord: member.record }),
        } as never,
      })
      await until(() => {
        const now = records.stats()
        return now.accepted + now.paced > before.accepted + before.paced
      })
    }
    for (const member of members) await beat(member)
    expect(records.stats()).toMatchObject({ accepted: 4, paced: 4 })
    // A second later, two more tokens: the next two heartbeats are checked, the last two wait.
    clock += 1000
    for (const member of members.slice(4)) await beat(member)
    expect(records.stats()).toMatchObject({ accepted: 6, paced: 6 })
    expect(new Set(stored).size).toBe(6)
    await records.stop()
  })
})
