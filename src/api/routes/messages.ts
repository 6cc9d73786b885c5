import { Ajv, type ErrorObject } from 'ajv'
import { readJsonBody } from '../body.js'
import type { ApiContext } from '../context.js'
import { ApiError, badRequest, notReady, payloadTooLarge } from '../errors.js'
import type { Handler } from '../router.js'
import { MESSAGE_REQUEST_SCHEMA, type MessageRequest } from '../schemas.js'

const ajv = new Ajv({ allErrors: false, strict: true })
const validate = ajv.compile<MessageRequest>(MESSAGE_REQUEST_SCHEMA)

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/

/** `POST /v1/messages` `{ data, encoding? }` → `202 { id, step, seq }`. */
export const postMessage =
  (ctx: ApiContext): Handler =>
  async ({ req }) => {
    const body = await readJsonBody(req, ctx.maxBodyBytes)
    if (!validate(body)) throw badRequest(describe(validate.errors?.[0]))
    let payload: Uint8Array | string = body.data
    if (body.encoding === 'base64') {
      if (!BASE64.test(body.data)) throw badRequest('data: is not valid base64')
      payload = Buffer.from(body.data, 'base64')
    }
    // broadcast() would wait for the join sync; the API answers at once instead.
    if (!ctx.readiness.ready) throw notReady()
    try {
      const receipt = await ctx.node.broadcast(payload)
      return { status: 202, json: { id: receipt.id, step: receipt.step, seq: receipt.seq } }
    } catch (err) {
      throw broadcastError(err)
    }
  }

/** Errors of broadcast() by name (never by message text) → API errors. */
function broadcastError(err: unknown): unknown {
  const name = err instanceof Error ? err.name : ''
  const message = err instanceof Error ? err.message : String(err)
  switch (name) {
    case 'ObserverModeError':
      return new ApiError(409, 'OBSERVER_MODE', message)
    case 'NotStartedError':
      return notReady('the node is not started')
    case 'PayloadTooLargeError':
      return payloadTooLarge(`data: ${message}`)
    case 'SendQueueFullError':
      return new ApiError(503, 'SEND_QUEUE_FULL', 'the send queue is full; retry later', {
        'Retry-After': '1',
      })
    default:
      return err
  }
}

/** The first validation error as "field: problem". */
function describe(error: ErrorObject | undefined): string {
  if (error === undefined) return 'body: invalid'
  const field = error.instancePath.replace(/^\//, '').replace(/\//g, '.')
  switch (error.keyword) {
    case 'required':
      return `${String(error.params.missingProperty)}: is required`
    case 'additionalProperties':
      return `${String(error.params.additionalProperty)}: is not a known field`
    case 'enum':
      return `${field}: must be one of ${(error.params.allowedValues as unknown[]).join(', ')}`
    default:
      return `${field === '' ? 'body' : field}: ${error.message ?? 'is invalid'}`
  }
}
