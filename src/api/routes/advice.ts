/**
 * Advice routes: `GET /v1/advice` (list with per-target status, `?id=` for one),
 * `POST /v1/advice` `{ type, target, payload, ttlMs }` → `202 { id }`, and
 * `POST /v1/advice/rollback` `{ id, ttlMs? }` → `202 { id }`. Requests are validated by the
 * advice rules before anything is sent; issued advice goes to the audit log in the data dir.
 */
import type { IncomingMessage } from 'node:http'
import { Ajv } from 'ajv'
import { readJsonBody } from '../body.js'
import type { ApiContext } from '../context.js'
import { ApiError, badRequest } from '../errors.js'
import type { Handler } from '../router.js'
import type { ApiAdvice } from '../types.js'

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

const ajv = new Ajv({ allErrors: false, strict: true })
const validateRollback = ajv.compile<{ id: string; ttlMs?: number }>(ADVICE_ROLLBACK_SCHEMA)

const unavailable = (): ApiError =>
  new ApiError(503, 'ADVICE_UNAVAILABLE', 'this node runs without the advice component')

function adviceOf(ctx: ApiContext): ApiAdvice {
  const advice = ctx.node.advice
  if (advice === undefined) throw unavailable()
  return advice
}

/** Who asked, for the audit log: the client address and user agent (one token, no users). */
function who(req: IncomingMessage): string {
  const agent = req.headers['user-agent']
  return `${req.socket.remoteAddress ?? 'unknown'}${agent !== undefined ? ` (${agent})` : ''}`
}

export const listAdvice =
  (ctx: ApiContext): Handler =>
  ({ query }) => {
    const advice = adviceOf(ctx)
    const id = query.get('id')
    if (id === null) return { status: 200, json: { advice: advice.list() } }
    const one = advice.get(id)
    if (one === undefined) throw new ApiError(404, 'NOT_FOUND', `no advice ${id}`)
    return { status: 200, json: { advice: [one] } }
  }

export const postAdvice =
  (ctx: ApiContext): Handler =>
  async ({ req }) => {
    const body = await readJsonBody(req, ctx.maxBodyBytes)
    const advice = adviceOf(ctx)
    try {
      const issued = await advice.issue(body, { who: who(req) })
      return { status: 202, json: { id: issued.id } }
    } catch (err) {
      throw adviceError(err)
    }
  }

export const rollbackAdvice =
  (ctx: ApiContext): Handler =>
  async ({ req }) => {
    const body = await readJsonBody(req, ctx.maxBodyBytes)
    if (!validateRollback(body)) {
      const e = validateRollback.errors?.[0]
      throw badRequest(
        e?.keyword === 'required'
          ? `${String(e.params['missingProperty'])}: is required`
          : `${e?.instancePath.slice(1) || 'body'}: ${e?.message ?? 'is invalid'}`,
      )
    }
    const advice = adviceOf(ctx)
    try {
      const issued = await advice.rollback(body.id, body.ttlMs, { who: who(req) })
      return { status: 202, json: { id: issued.id } }
    } catch (err) {
      throw adviceError(err)
    }
  }

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
