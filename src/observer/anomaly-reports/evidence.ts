/**
 * Evidence of an anomaly report (DESIGN §14): the offending gossip message as received — from,
 * seqno, topic, data, signature, key — so any member can check that the offender signed it.
 * The check is gossipsub's StrictSign check, done again: the signature is over
 * `"libp2p-pubsub:" ‖ protobuf(Message{from, data, seqno, topic})` (without signature and key),
 * by the key of `from` (inlined in an Ed25519 peer id, else the `key` field, which must hash
 * to `from`). See @libp2p/gossipsub `utils/buildRawMessage.js` (`validateToRawMessage`).
 */
import { publicKeyFromProtobuf, publicKeyToProtobuf } from '@libp2p/crypto/keys'
import type { Message } from '@libp2p/gossipsub'
import { RPC } from '@libp2p/gossipsub/message'
import type { PublicKey } from '@libp2p/interface'
import { peerIdFromPublicKey, peerIdFromString } from '@libp2p/peer-id'
import { MAX_EVIDENCE_BYTES } from './constants.js'

/** The evidence on the wire (JSON): binary fields base64, the seqno as 16 hex digits. */
export interface Evidence {
  from: string
  seqno: string
  topic: string
  data: string
  signature: string
  /** The signer's public key (protobuf, base64), when its peer id does not inline it. */
  key?: string
}

/** The evidence, decoded and checked: the offender signed `data` on `topic`. */
export interface VerifiedEvidence {
  from: string
  topic: string
  data: Uint8Array
}

export type EvidenceCheck = { ok: true; evidence: VerifiedEvidence } | { ok: false; detail: string }

const SIGN_PREFIX = new TextEncoder().encode('libp2p-pubsub:')
const SEQNO_HEX = /^[0-9a-f]{16}$/
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/

/**
 * The evidence of a signed gossip message, or undefined when there is none to give: an
 * unsigned message, or one whose data exceeds `maxDataBytes` (a report must fit in a frame;
 * the signature covers the whole data, so it cannot be cut).
 */
export function evidenceOf(
  message: Message,
  maxDataBytes = MAX_EVIDENCE_BYTES,
): Evidence | undefined {
  if (message.type !== 'signed' || message.data.length > maxDataBytes) return undefined
  const out: Evidence = {
    from: message.from.toString(),
    seqno: message.sequenceNumber.toString(16).padStart(16, '0'),
    topic: message.topic,
    data: Buffer.from(message.data).toString('base64'),
    signature: Buffer.from(message.signature).toString('base64'),
  }
  // An Ed25519 or secp256k1 peer id carries its key; an RSA one does not.
  if (message.from.publicKey === undefined)
    out.key = Buffer.from(publicKeyToProtobuf(message.key)).toString('base64')
  return out
}

/** Checks that `evidence.from` signed it. Never throws. */
export async function checkEvidence(evidence: Evidence): Promise<EvidenceCheck> {
  if (!SEQNO_HEX.test(evidence.seqno)) return fail('seqno is not 16 hex digits')
  for (const field of ['data', 'signature', 'key'] as const) {
    const value = evidence[field]
    if (value !== undefined && !BASE64.test(value)) return fail(`${field} is not base64`)
  }
  let from
  try {
    from = peerIdFromString(evidence.from)
  } catch {
    return fail(`from is not a peer id: ${evidence.from.slice(0, 64)}`)
  }
  let key: PublicKey | undefined = from.publicKey
  if (evidence.key !== undefined) {
    try {
      key = publicKeyFromProtobuf(Buffer.from(evidence.key, 'base64'))
    } catch {
      return fail('key does not decode')
    }
    if (!peerIdFromPublicKey(key).equals(from)) return fail('key is not the key of from')
  }
  if (key === undefined) return fail('no public key for from')
  const data = Buffer.from(evidence.data, 'base64')
  const signed = RPC.Message.encode({
    from: from.toMultihash().bytes,
    data,
    seqno: Buffer.from(evidence.seqno, 'hex'),
    topic: evidence.topic,
  })
  let valid: boolean
  try {
    valid = await key.verify(concat(SIGN_PREFIX, signed), Buffer.from(evidence.signature, 'base64'))
  } catch {
    valid = false
  }
  if (!valid) return fail(`signature of ${evidence.from} does not verify`)
  return { ok: true, evidence: { from: evidence.from, topic: evidence.topic, data } }
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length)
  out.set(a, 0)
  out.set(b, a.length)
  return out
}

function fail(detail: string): EvidenceCheck {
  return { ok: false, detail: `evidence: ${detail}` }
}
