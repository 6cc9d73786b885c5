/**
 * Signed peer records (libp2p's `@libp2p/peer-record`: an envelope signed by the peer's key
 * around its peer id, listen addresses and a sequence number), sealed for our heartbeats and
 * checked when a member's heartbeat brings one. No I/O: what the peer store holds is passed in.
 *
 * Higher sequence number wins (memberlist's incarnations): a record older than the stored one
 * is refused as STALE; the same one again is `unchanged`, which is what most heartbeats carry.
 */
import type { PrivateKey } from '@libp2p/interface'
import { peerIdFromPublicKey } from '@libp2p/peer-id'
import { PeerRecord, RecordEnvelope } from '@libp2p/peer-record'
import type { Multiaddr } from '@multiformats/multiaddr'
import { MAX_PEER_RECORD_BYTES, MAX_RECORD_ADDRS } from './constants.js'

/** Why a record is refused; each one is counted apart. */
export type RecordRefusalCode =
  /** Not a peer record envelope, too large, or too many addresses. */
  | 'MALFORMED'
  /** The envelope's signature does not verify with the key it names. */
  | 'BAD_SIGNATURE'
  /** Signed by another peer than the record names, or not the heartbeat sender's record. */
  | 'WRONG_PEER'
  /** Its sequence number is lower than the one of the record the peer store holds. */
  | 'STALE'

export const RECORD_REFUSAL_CODES: readonly RecordRefusalCode[] = [
  'MALFORMED',
  'BAD_SIGNATURE',
  'WRONG_PEER',
  'STALE',
]

export interface VerifiedPeerRecord {
  peerId: string
  seq: bigint
  addrs: Multiaddr[]
  /** The envelope as received, to store (identify serves it as is). */
  bytes: Uint8Array
}

export type RecordCheck =
  | { verdict: 'accept'; record: VerifiedPeerRecord }
  | { verdict: 'unchanged'; seq: bigint }
  | { verdict: 'refuse'; code: RecordRefusalCode; detail: string }

export interface RecordCheckOptions {
  /** The peer whose heartbeat carried the record (gossipsub StrictSign vouches for it). */
  sender: string
  /** Sequence number of the record the peer store holds for `sender`, if any. */
  storedSeq?: bigint
  maxBytes?: number
  maxAddrs?: number
}

/**
 * Seals a record of `addrs` (without `/p2p/` parts) at `seq` with our key. Addresses beyond
 * `maxAddrs` are left out, and more while the envelope is larger than `maxBytes`.
 */
export async function sealPeerRecord(
  privateKey: PrivateKey,
  addrs: readonly Multiaddr[],
  seq: bigint,
  limits: { maxBytes?: number; maxAddrs?: number } = {},
): Promise<Uint8Array> {
  const maxBytes = limits.maxBytes ?? MAX_PEER_RECORD_BYTES
  const peerId = peerIdFromPublicKey(privateKey.publicKey)
  let kept = addrs.slice(0, limits.maxAddrs ?? MAX_RECORD_ADDRS)
  for (;;) {
    const record = new PeerRecord({ peerId, multiaddrs: kept, seqNumber: seq })
    const bytes = (await RecordEnvelope.seal(record, privateKey)).marshal().subarray()
    if (bytes.length <= maxBytes || kept.length === 0) return bytes
    kept = kept.slice(0, -1)
  }
}

/** Checks a record a heartbeat of `options.sender` carried. Never throws. */
export async function checkPeerRecord(
  bytes: Uint8Array,
  options: RecordCheckOptions,
): Promise<RecordCheck> {
  const maxBytes = options.maxBytes ?? MAX_PEER_RECORD_BYTES
  if (bytes.length > maxBytes) {
    return refuse('MALFORMED', `record of ${bytes.length} bytes exceeds ${maxBytes}`)
  }
  let envelope: RecordEnvelope
  let record: PeerRecord
  try {
    envelope = RecordEnvelope.createFromProtobuf(bytes)
    if (!Buffer.from(envelope.payloadType).equals(PeerRecord.CODEC)) {
      return refuse('MALFORMED', 'envelope does not hold a peer record')
    }
    record = PeerRecord.createFromProtobuf(envelope.payload)
  } catch (err) {
    return refuse('MALFORMED', `undecodable record: ${(err as Error).message}`)
  }
  const signer = peerIdFromPublicKey(envelope.publicKey).toString()
  const named = record.peerId.toString()
  if (signer !== named) return refuse('WRONG_PEER', `record of ${named} signed by ${signer}`)
  if (named !== options.sender) {
    return refuse('WRONG_PEER', `record of ${named} in a heartbeat of ${options.sender}`)
  }
  let valid: boolean
  try {
    valid = await envelope.validate(PeerRecord.DOMAIN)
  } catch {
    valid = false
  }
  if (!valid) return refuse('BAD_SIGNATURE', `signature of ${named}'s record does not verify`)
  const maxAddrs = options.maxAddrs ?? MAX_RECORD_ADDRS
  if (record.multiaddrs.length > maxAddrs) {
    return refuse('MALFORMED', `record has ${record.multiaddrs.length} addresses, over ${maxAddrs}`)
  }
  const seq = record.seqNumber
  if (options.storedSeq !== undefined) {
    if (seq < options.storedSeq) {
      return refuse('STALE', `record seq ${seq} is older than the stored ${options.storedSeq}`)
    }
    if (seq === options.storedSeq) return { verdict: 'unchanged', seq }
  }
  return { verdict: 'accept', record: { peerId: named, seq, addrs: record.multiaddrs, bytes } }
}

/**
 * Sequence number of a record the peer store holds (we verified it before storing it, or
 * identify did); undefined if it does not decode.
 */
export function storedRecordSeq(bytes: Uint8Array | undefined): bigint | undefined {
  if (bytes === undefined) return undefined
  try {
    const envelope = RecordEnvelope.createFromProtobuf(bytes)
    return PeerRecord.createFromProtobuf(envelope.payload).seqNumber
  } catch {
    return undefined
  }
}

function refuse(code: RecordRefusalCode, detail: string): RecordCheck {
  return { verdict: 'refuse', code, detail }
}
