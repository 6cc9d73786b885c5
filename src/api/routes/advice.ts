/**
 * Advice routes: `GET /v1/advice` (list with per-target status, `?id=` for one),
 * `POST /v1/advice` `{ type, target, payload, ttlMs }` → `202 { id }`, and
 * `POST /v1/advice/rollback` `{ id, ttlMs? }` → `202 { id }`. Requests are validated by the
 * advice rules before anything is sent; issued advice goes to the audit log in the data dir.
 */
import { ADVICE_REQUEST_SCHEMA } from '../../advice/index.js'
import type { ApiContext } from '../context.js'
import { ApiError, badRequest } from '../errors.js'
import type { ApiAdvice } from '../types.js'
import {
  BEARER,
  DEFAULT_ERROR,
  LIMITED,
  UNAUTHORIZED,
  errorResponse,
  jsonResponse,
  route,
  who,
} from './route.js'

export const ADVICE_ROLLBACK_SCHEMA = {
  type: 'object',
  description: 'Roll back an advice: a new advice restoring, on every target, what it replaced.',
  required: ['id'],
  additionalProperties: false,
  properties: {
    id: { type: 'string', minLength: 1, maxLength: 128 },
    ttlMs: { type: 'integer', minimum: 100, maximum: 604_800_000 },
  },
} as const

const NO_ADVICE = errorResponse(
  'no advice component on this node, or no principal reachable to stamp it (retry)',
)

const unavailable = (): ApiError =>
  new ApiError(503, 'ADVICE_UNAVAILABLE', 'this node runs without the advice component')

function adviceOf(ctx: ApiContext): ApiAdvice {
  const advice = ctx.node.advice
  if (advice === undefined) throw unavailable()
  return advice
}

export const listAdvice = route({
  method: 'GET',
  path: '/v1/advice',
  schema: {
    operationId: 'listAdvice',
    summary: 'Advice known to this node, newest first, with per-target status',
    tags: ['advice'],
    querystring: {
      type: 'object',
      properties: { id: { type: 'string', description: 'only this advice' } },
    },
    response: {
      200: jsonResponse('advice', 'AdviceList'),
      404: errorResponse('no advice with that id'),
      503: NO_ADVICE,
      default: DEFAULT_ERROR,
    },
  },
  handler: (ctx) => (request) => {
    const advice = adviceOf(ctx)
    const { id } = request.query as { id?: string }
    if (id === undefined) return { advice: advice.list() }
    const one = advice.get(id)
    if (one === undefined) throw new ApiError(404, 'NOT_FOUND', `no advice ${id}`)
    return { advice: [one] }
  },
})

export const postAdvice = route({
  method: 'POST',
  path: '/v1/advice',
  auth: true,
  write: true,
  schema: {
    operationId: 'postAdvice',
    summary: 'Issue an advice: relayed to the principal, stamped and broadcast',
    description:
      'Answered once the stamped advice is on disk at the principal and at this node. Every request is written to the audit log in the data dir.',
    tags: ['advice'],
    security: BEARER,
    body: ADVICE_REQUEST_SCHEMA,
    response: {
      202: jsonResponse('stamped', 'AdviceId'),
      400: errorResponse('bad JSON, or a request or payload that fails validation (named)'),
      401: UNAUTHORIZED,
      413: errorResponse('body over the size limit'),
      415: errorResponse('the body is not application/json'),
      429: LIMITED,
      503: NO_ADVICE,
      default: DEFAULT_ERROR,
    },
  },
  handler: (ctx) => async (request, reply) => {
    const advice = adviceOf(ctx)
    try {
      const issued = await advice.issue(request.body, { who: who(request) })
      return await reply.code(202).send({ id: issued.id })
    } catch (err) {
      throw adviceError(err)
    }
  },
})

export const rollbackAdvice = route({
  method: 'POST',
  path: '/v1/advice/rollback',
  auth: true,
  write: true,
  schema: {
    operationId: 'rollbackAdvice',
    summary: 'Roll back an advice: a new advice restoring what it replaced',
    tags: ['advice'],
    security: BEARER,
    body: ADVICE_ROLLBACK_SCHEMA,
    response: {
      202: jsonResponse('stamped', 'AdviceId'),
      400: errorResponse('bad JSON or a field that fails validation'),
      401: UNAUTHORIZED,
      404: errorResponse('no advice with that id'),
      503: NO_ADVICE,
      default: DEFAULT_ERROR,
    },
  },
  handler: (ctx) => async (request, reply) => {
    const body = request.body as { id: string; ttlMs?: number }
    const advice = adviceOf(ctx)
    try {
      const issued = await advice.rollback(body.id, body.ttlMs, { who: who(request) })
      return await reply.code(202).send({ id: issued.id })
    } catch (err) {
      throw adviceError(err)
    }
  },
})

/** Advice errors by name → API errors. */
function adviceError(err: unknown): unknown {
  const name = err instanceof Error ? err.name : ''
  const message = err instanceof Error ? err.message : String(err)
  switch (name) {
    case 'InvalidAdviceError':
      return badRequest(message)
    case 'AdviceNotFoundError':
      return new ApiError(404, 'NOT_FOUND', message)
    case 'NoPrincipalError':
    case 'NotStartedError':
      return new ApiError(503, 'NO_PRINCIPAL', message, { 'Retry-After': '1' })
    default:
      return err
  }
}
