/** Shared response schemas of the advice routes (components of `/openapi.json`). */
import { ref } from '../openapi-schemas.js'

const STATUS = { type: 'string', enum: ['pending', 'accepted', 'rejected'] }

export const ADVICE_SCHEMAS: Record<string, object> = {
  AdviceId: {
    type: 'object',
    required: ['id'],
    properties: { id: { type: 'string' } },
  },
  Advice: {
    type: 'object',
    description:
      'An advice as its principal stamped it, with the results of its targets and the aggregate: accepted when every target accepted; rejected once all answered (or it expired) and one rejected; pending otherwise. Targets without an answer at expiry count as rejected `expired`.',
    required: [
      'id',
      'type',
      'target',
      'payload',
      'status',
      'expiry',
      'issuer',
      'term',
      'version',
      'results',
      'counts',
    ],
    properties: {
      id: { type: 'string' },
      type: { type: 'string', enum: ['UPDATE', 'CONFIG', 'ROLE'] },
      target: { type: 'array', items: { type: 'string' } },
      payload: { type: 'object' },
      status: STATUS,
      expiry: { type: 'integer', description: 'ms since the epoch' },
      issuer: { type: 'string', description: 'the principal that stamped it' },
      origin: { type: 'string', description: 'the node that took the request' },
      term: { type: 'integer', description: "the issuer's term (fencing token)" },
      step: { type: 'integer' },
      issuedAt: { type: 'integer' },
      keys: { type: 'array', items: { type: 'string' } },
      version: {
        type: 'object',
        description: 'per key, a version vector: issuer peer id → counter',
        additionalProperties: { type: 'object', additionalProperties: { type: 'integer' } },
      },
      resolved: { type: 'array', items: { type: 'string' } },
      rollbackOf: { type: 'string' },
      restore: { type: 'object' },
      results: {
        type: 'array',
        items: {
          type: 'object',
          required: ['target', 'status'],
          properties: {
            target: { type: 'string' },
            status: STATUS,
            reason: { type: 'string' },
            at: { type: 'integer' },
          },
        },
      },
      counts: {
        type: 'object',
        required: ['accepted', 'rejected', 'pending'],
        properties: {
          accepted: { type: 'integer' },
          rejected: { type: 'integer' },
          pending: { type: 'integer' },
        },
      },
    },
  },
  AdviceList: {
    type: 'object',
    required: ['advice'],
    properties: { advice: { type: 'array', items: ref('Advice') } },
  },
}
