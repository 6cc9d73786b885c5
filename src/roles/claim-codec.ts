/**
 * The role-claim payload (the `data` of a `role-claim` control envelope): a node claims term
 * `term` for itself, stating its weight. Bounded and schema-checked like heartbeats.
 */
import { Ajv } from 'ajv'
import { PEER_ID_SCHEMA, type DecodeResult } from '../membership/index.js'
import { decodeJsonPayload, encodeJsonPayload } from '../protocol/json-payload.js'
import { CLAIM_MAX_BYTES } from './constants.js'

export interface RoleClaimPayload {
  term: number
  /** Must be the envelope's sender: a node claims only for itself. */
  principal: string
  weight: number
}

export const ROLE_CLAIM_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  required: ['term', 'principal', 'weight'],
  properties: {
    term: { type: 'integer', minimum: 1, maximum: Number.MAX_SAFE_INTEGER },
    principal: PEER_ID_SCHEMA,
    weight: { type: 'number', minimum: 0, maximum: Number.MAX_SAFE_INTEGER },
  },
} as const

const ajv = new Ajv({ allErrors: false, strict: true, removeAdditional: true })
const validate = ajv.compile<RoleClaimPayload>(ROLE_CLAIM_SCHEMA)

export function encodeRoleClaim(claim: RoleClaimPayload): Uint8Array {
  return encodeJsonPayload(claim)
}

export function decodeRoleClaim(bytes: Uint8Array): DecodeResult<RoleClaimPayload> {
  const parsed = decodeJsonPayload(bytes, CLAIM_MAX_BYTES)
  if (!parsed.ok) return parsed
  if (!validate(parsed.value)) {
    const error = validate.errors?.[0]
    const path = error?.instancePath === '' ? 'role claim' : `role claim${error?.instancePath}`
    return { ok: false, detail: `${path} ${error?.message ?? 'is invalid'}` }
  }
  return { ok: true, value: parsed.value }
}
