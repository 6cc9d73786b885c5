/**
 * The heartbeat payload (the `data` of a `heartbeat` control envelope) and its codec. The
 * sender's step is the envelope's `globalStep`, not repeated here. Decoding is bounded
 * (`HEARTBEAT_MAX_BYTES`) and schema-checked; unknown fields from newer versions are dropped.
 */
import { Ajv } from 'ajv'
import { MAX_KEYS } from '../pattern/index.js'
import { MAX_PEER_RECORD_CHARS } from '../peers/constants.js'
import { decodeJsonPayload, encodeJsonPayload } from '../protocol/json-payload.js'
import {
  HEARTBEAT_MAX_BYTES,
  MAX_INTERVAL_MS,
  MAX_METADATA_ENTRIES,
  MAX_METADATA_KEY_LENGTH,
  MAX_METADATA_VALUE_LENGTH,
  MAX_ROLES,
  MAX_ROLE_LENGTH,
  MAX_VERSION_LENGTH,
  MIN_INTERVAL_MS,
} from './constants.js'

/**
 * What a node says about itself: serving, paused by its operator, in trouble, or stopping
 * (its last heartbeat, DESIGN §13: members mark it `left` at once).
 */
export type ActivityStatus = 'active' | 'inactive' | 'error' | 'leaving'

export interface HeartbeatPayload {
  status: ActivityStatus
  weight: number
  roles: string[]
  version: string
  /** The term the sender believes in. */
  term: number
  /** The principal the sender believes in, or null. */
  principal: string | null
  /** The principal's weight as its claim stated it (part of the claim: settles equal terms). */
  principalWeight: number
  /**
   * How long ago (ms, by the sender's clock) the claim of `term` was issued. Relative, so no
   * clock sync is needed; it dates claims for formation races and split-brain detection.
   */
  termAgeMs: number
  observer: boolean
  /** Whether the sender may become principal (its own view: not observer, weight, status). */
  eligible: boolean
  /**
   * The sender's heartbeat interval (ms) now: peers time its failure detection by it, so a
   * principal may heartbeat faster than the members. Absent from older peers: the receiver's
   * own interval applies.
   */
  intervalMs?: number
  metadata?: Record<string, string>
  /**
   * The sender's signed libp2p peer record (base64 of the envelope): its addresses, so members
   * can dial it. Checked and stored by src/peers; absent from older peers.
   */
  peerRecord?: string
  /**
   * The network keys the sender holds (ids only, never bytes), so every member's `GET /v1/keys`
   * counts who holds each within a heartbeat of a rotation. Absent from older peers.
   */
  keyring?: HeartbeatKeyring
}

/** Key ids a member holds, and the one it stamps with. */
export interface HeartbeatKeyring {
  primary: string
  ids: string[]
}

/** A peer id as it travels: base58btc or base32 text. */
export const PEER_ID_SCHEMA = { type: 'string', pattern: '^[A-Za-z0-9]{1,128}$' } as const

const MAX_SAFE = Number.MAX_SAFE_INTEGER

/** A key id: the first 8 hex digits of the key's SHA-256. */
const KEY_ID_SCHEMA = { type: 'string', pattern: '^[0-9a-f]{8}$' } as const

export const HEARTBEAT_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  required: [
    'status',
    'weight',
    'roles',
    'version',
    'term',
    'principal',
    'principalWeight',
    'termAgeMs',
    'observer',
    'eligible',
  ],
  properties: {
    status: { enum: ['active', 'inactive', 'error', 'leaving'] },
    weight: { type: 'number', minimum: 0, maximum: MAX_SAFE },
    roles: {
      type: 'array',
      maxItems: MAX_ROLES,
      items: { type: 'string', pattern: `^[a-z][a-z0-9-]{0,${MAX_ROLE_LENGTH - 1}}$` },
    },
    version: { type: 'string', maxLength: MAX_VERSION_LENGTH },
    term: { type: 'integer', minimum: 0, maximum: MAX_SAFE },
    principal: { anyOf: [PEER_ID_SCHEMA, { type: 'null' }] },
    principalWeight: { type: 'number', minimum: 0, maximum: MAX_SAFE },
    termAgeMs: { type: 'integer', minimum: 0, maximum: MAX_SAFE },
    observer: { type: 'boolean' },
    eligible: { type: 'boolean' },
    intervalMs: { type: 'integer', minimum: MIN_INTERVAL_MS, maximum: MAX_INTERVAL_MS },
    metadata: {
      type: 'object',
      maxProperties: MAX_METADATA_ENTRIES,
      propertyNames: { maxLength: MAX_METADATA_KEY_LENGTH },
      additionalProperties: { type: 'string', maxLength: MAX_METADATA_VALUE_LENGTH },
    },
    keyring: {
      type: 'object',
      additionalProperties: false,
      required: ['primary', 'ids'],
      properties: {
        primary: KEY_ID_SCHEMA,
        ids: { type: 'array', maxItems: MAX_KEYS, uniqueItems: true, items: KEY_ID_SCHEMA },
      },
    },
    peerRecord: {
      type: 'string',
      minLength: 4,
      maxLength: MAX_PEER_RECORD_CHARS,
      pattern: '^[A-Za-z0-9+/]+={0,2}$',
    },
  },
} as const

// removeAdditional: a newer peer's extra fields are dropped, not refused (rolling upgrades).
const ajv = new Ajv({ allErrors: false, strict: true, removeAdditional: true })
const validate = ajv.compile<HeartbeatPayload>(HEARTBEAT_SCHEMA)

export type DecodeResult<T> = { ok: true; value: T } | { ok: false; detail: string }

export function encodeHeartbeat(heartbeat: HeartbeatPayload): Uint8Array {
  return encodeJsonPayload(heartbeat)
}

export function decodeHeartbeat(bytes: Uint8Array): DecodeResult<HeartbeatPayload> {
  const parsed = decodeJsonPayload(bytes, HEARTBEAT_MAX_BYTES)
  if (!parsed.ok) return parsed
  if (!validate(parsed.value)) {
    const error = validate.errors?.[0]
    const path = error?.instancePath === '' ? 'heartbeat' : `heartbeat${error?.instancePath}`
    return { ok: false, detail: `${path} ${error?.message ?? 'is invalid'}` }
  }
  return { ok: true, value: parsed.value }
}
