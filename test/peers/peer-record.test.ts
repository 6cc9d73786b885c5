import { generateKeyPair } from '@libp2p/crypto/keys'
import type { PrivateKey } from '@libp2p/interface'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { PeerRecord, RecordEnvelope } from '@libp2p/peer-record'
import { multiaddr } from '@multiformats/multiaddr'
import { beforeAll, describe, expect, it } from 'vitest'
import {
  MAX_RECORD_ADDRS,
  checkPeerRecord,
  sealPeerRecord,
  storedRecordSeq,
  type RecordCheck,
} from '../../src/peers/index.js'

const ADDRS = [multiaddr('/ip4/127.0.0.1/tcp/4001'), multiaddr('/ip4/10.0.0.7/tcp/4002/ws')]

let alice: PrivateKey
let bob: PrivateKey
let aliceId: string
let bobId: string

beforeAll(async () => {
  alice = await generateKeyPair('Ed25519')
  bob = await generateKeyPair('Ed25519')
  aliceId = peerIdFromPrivateKey(alice).toString()
  bobId = peerIdFromPrivateKey(bob).toString()
})

function refusal(check: RecordCheck): string | undefined {
  return check.verdict === 'refuse' ? check.code : undefined
}

describe('sealPeerRecord / checkPeerRecord (real ed25519 keys)', () => {
  it('accepts the sender’s own record, with its seq and addresses', async () => {
    const bytes = await sealPeerRecord(alice, ADDRS, 42n)
    const check = await checkPeerRecord(bytes, { sender: aliceId })
    expect(check.verdict).toBe('accept')
    if (check.verdict !== 'accept') return
    expect(check.record.peerId).toBe(aliceId)
    expect(check.record.seq).toBe(42n)
    expect(check.record.addrs.map(String)).toEqual(ADDRS.map(String))
    expect(storedRecordSeq(bytes)).toBe(42n)
  })

  it.each([
    { stored: 41n, verdict: 'accept' },
    { stored: 42n, verdict: 'unchanged' },
    { stored: 43n, verdict: 'refuse', code: 'STALE' },
  ])('seq 42 against a stored $stored: $verdict', async ({ stored, verdict, code }) => {
    const bytes = await sealPeerRecord(alice, ADDRS, 42n)
    const check = await checkPeerRecord(bytes, { sender: aliceId, storedSeq: stored })
    expect(check.verdict).toBe(verdict)
    expect(refusal(check)).toBe(code)
  })

  it('refuses another peer’s genuine record in a heartbeat (WRONG_PEER)', async () => {
    const bytes = await sealPeerRecord(bob, ADDRS, 1n)
    const check = await checkPeerRecord(bytes, { sender: aliceId })
    expect(refusal(check)).toBe('WRONG_PEER')
  })

  it('refuses a record naming alice signed with bob’s key (WRONG_PEER)', async () => {
    const record = new PeerRecord({ peerId: peerIdFromPrivateKey(alice), multiaddrs: ADDRS })
    const bytes = (await RecordEnvelope.seal(record, bob)).marshal().subarray()
    expect(refusal(await checkPeerRecord(bytes, { sender: aliceId }))).toBe('WRONG_PEER')
    expect(refusal(await checkPeerRecord(bytes, { sender: bobId }))).toBe('WRONG_PEER')
  })

  it('refuses a record whose signature does not verify (BAD_SIGNATURE)', async () => {
    const genuine = RecordEnvelope.createFromProtobuf(await sealPeerRecord(alice, ADDRS, 7n))
    const signature = Uint8Array.from(genuine.signature)
    signature[0] = signature[0]! ^ 0xff
    const forged = new RecordEnvelope({ ...genuine, signature }).marshal().subarray()
    expect(refusal(await checkPeerRecord(forged, { sender: aliceId }))).toBe('BAD_SIGNATURE')

    // Same signature over other addresses: the payload changed under it.
    const payload = new PeerRecord({
      peerId: peerIdFromPrivateKey(alice),
      multiaddrs: [multiaddr('/ip4/6.6.6.6/tcp/1')],
      seqNumber: 7n,
    }).marshal()
    const swapped = new RecordEnvelope({ ...genuine, payload }).marshal().subarray()
    expect(refusal(await checkPeerRecord(swapped, { sender: aliceId }))).toBe('BAD_SIGNATURE')
  })

  it.each([
    ['garbage', () => Uint8Array.from([1, 2, 3, 4, 5])],
    ['empty', () => new Uint8Array(0)],
    ['oversize', () => new Uint8Array(5000)],
  ])('refuses %s bytes (MALFORMED)', async (_name, bytes) => {
    expect(refusal(await checkPeerRecord(bytes(), { sender: aliceId }))).toBe('MALFORMED')
  })

  it('refuses a record with more addresses than allowed (MALFORMED)', async () => {
    const many = Array.from({ length: MAX_RECORD_ADDRS + 1 }, (_, i) =>
      multiaddr(`/ip4/10.0.0.${i + 1}/tcp/4001`),
    )
    const bytes = await sealPeerRecord(alice, many, 1n, { maxAddrs: 64, maxBytes: 4096 })
    expect(refusal(await checkPeerRecord(bytes, { sender: aliceId }))).toBe('MALFORMED')
  })

  it('seals at most maxAddrs addresses and fits maxBytes by leaving addresses out', async () => {
    const many = Array.from({ length: 40 }, (_, i) => multiaddr(`/ip4/10.0.0.${i + 1}/tcp/4001`))
    const capped = await sealPeerRecord(alice, many, 1n)
    const check = await checkPeerRecord(capped, { sender: aliceId })
    expect(check.verdict === 'accept' && check.record.addrs.length).toBe(MAX_RECORD_ADDRS)

    const small = await sealPeerRecord(alice, many, 1n, { maxBytes: 200 })
    expect(small.length).toBeLessThanOrEqual(200)
    const smallCheck = await checkPeerRecord(small, { sender: aliceId })
    expect(smallCheck.verdict).toBe('accept')
  })

  it('storedRecordSeq is undefined for nothing or garbage', () => {
    expect(storedRecordSeq(undefined)).toBeUndefined()
    expect(storedRecordSeq(Uint8Array.from([9, 9, 9]))).toBeUndefined()
  })
})
