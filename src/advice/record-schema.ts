/** Schemas of advice and results as they arrive from peers (mesh frames, sync, relay). */
import { Ajv } from 'ajv'
import { ADVICE_TYPES, type Advice, type AdviceResult } from './types.js'

const ID = { type: 'string', minLength: 1, maxLength: 128 } as const
const INT = { type: 'integer', minimum: 0, maximum: Number.MAX_SAFE_INTEGER } as const
const VECTOR = { type: 'object', additionalProperties: INT } as const

export const ADVICE_RECORD_SCHEMA = {
  type: 'object',
  required: [
    'id',
    'type',
    'target',
    'payload',
    'expiry',
    'issuer',
    'origin',
    'term',
    'step',
    'issuedAt',
    'keys',
    'version',
    'resolved',
  ],
  additionalProperties: false,
  properties: {
    id: ID,
    type: { enum: [...ADVICE_TYPES] },
    target: { type: 'array', maxItems: 256, items: ID },
    payload: { type: 'object' },
    expiry: INT,
    issuer: ID,
    origin: ID,
    term: INT,
    step: INT,
    issuedAt: INT,
    keys: { type: 'array', maxItems: 256, items: { type: 'string', maxLength: 200 } },
    version: { type: 'object', additionalProperties: VECTOR },
    resolved: { type: 'array', maxItems: 10_000, items: ID },
    rollbackOf: ID,
    restore: { type: 'object' },
  },
} as const

export const ADVICE_RESULT_SCHEMA = {
  type: 'object',
  required: ['adviceId', 'target', 'status', 'at'],
  additionalProperties: false,
  properties: {
    adviceId: ID,
    target: ID,
    status: { enum: ['accepted', 'rejected'] },
    reason: { type: 'string', maxLength: 1024 },
    at: INT,
  },
} as const

const ajv = new Ajv({ allErrors: false, strict: true })
export const isAdvice = ajv.compile<Advice>(ADVICE_RECORD_SCHEMA)
export const isAdviceResult = ajv.compile<AdviceResult>(ADVICE_RESULT_SCHEMA)
