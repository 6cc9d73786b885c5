/** The advice routes in the OpenAPI document: their paths and schemas. */
import { ADVICE_REQUEST_SCHEMA } from '../../advice/index.js'
import type { OpenApiDocument, OpenApiResponse } from '../openapi.js'
import { ADVICE_ROLLBACK_SCHEMA } from './advice.js'

const ref = (name: string): { $ref: string } => ({ $ref: `#/components/schemas/${name}` })
const json = (schema: object): OpenApiResponse['content'] => ({ 'application/json': { schema } })
const error = (description: string, headers?: Record<string, object>): OpenApiResponse => ({
  description,
  ...(headers !== undefined ? { headers } : {}),
  content: json(ref('Error')),
})
const errors = { $ref: '#/components/responses/Error' }
const bearer = [{ bearerAuth: [] }]
const unauthorized = error('missing or wrong token', {
  'WWW-Authenticate': { schema: { type: 'string' } },
})
const limited = error('too many writes', { 'Retry-After': { schema: { type: 'integer' } } })
const noAdvice = error(
  'no advice component on this node, or no principal reachable to stamp it (retry)',
)

const STATUS = { type: 'string', enum: ['pending', 'accepted', 'rejected'] }

export const ADVICE_OPENAPI_SCHEMAS: Record<string, object> = {
  AdviceRequest: ADVICE_REQUEST_SCHEMA,
  AdviceRollback: ADVICE_ROLLBACK_SCHEMA,
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

export const ADVICE_PATHS: OpenApiDocument['paths'] = {
  '/v1/advice': {
    get: {
      operationId: 'listAdvice',
      summary: 'Advice known to this node, newest first, with per-target status',
      tags: ['advice'],
      parameters: [
        { name: 'id', in: 'query', description: 'only this advice', schema: { type: 'string' } },
      ],
      responses: {
        '200': { description: 'advice', content: json(ref('AdviceList')) },
        '404': error('no advice with that id'),
        '503': noAdvice,
        default: errors,
      },
    },
    post: {
      operationId: 'postAdvice',
      summary: 'Issue an advice: relayed to the principal, stamped and broadcast',
      description:
        'Answered once the stamped advice is on disk at the principal and at this node. Every request is written to the audit log in the data dir.',
      tags: ['advice'],
      security: bearer,
      requestBody: { required: true, content: json(ref('AdviceRequest')) },
      responses: {
        '202': { description: 'stamped', content: json(ref('AdviceId')) },
        '400': error('bad JSON, or a request or payload that fails validation (named)'),
        '401': unauthorized,
        '413': error('body over the size limit'),
        '415': error('the body is not application/json'),
        '429': limited,
        '503': noAdvice,
        default: errors,
      },
    },
  },
  '/v1/advice/rollback': {
    post: {
      operationId: 'rollbackAdvice',
      summary: 'Roll back an advice: a new advice restoring what it replaced',
      tags: ['advice'],
      security: bearer,
      requestBody: { required: true, content: json(ref('AdviceRollback')) },
      responses: {
        '202': { description: 'stamped', content: json(ref('AdviceId')) },
        '400': error('bad JSON or a field that fails validation'),
        '401': unauthorized,
        '404': error('no advice with that id'),
        '503': noAdvice,
        default: errors,
      },
    },
  },
}
