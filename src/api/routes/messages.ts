import type { ApiContext } from '../context.js'
import { ApiError, badRequest, notReady, payloadTooLarge } from '../errors.js'
import { POST_MESSAGES_SCHEMA, type MessageRequest, type PostMessagesBody } from '../schemas.js'
import {
  BEARER,
  DEFAULT_ERROR,
  LIMITED,
  UNAUTHORIZED,
  errorResponse,
  jsonResponse,
  route,
} from './route.js'

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/

/**
 * `POST /v1/messages` `{ data, encoding? }` → `202 { id, step, seq }`, or the batch form
 * `{ messages: [{ data, encoding? }, …] }` → `202 { ids }` (DESIGN §15): every payload is
 * decoded and checked before the first is sent; one write token for the whole request.
 */
export const postMessages = route({
  method: 'POST',
  path: '/v1/messages',
  auth: true,
  write: true,
  bodyLimit: (ctx) => ctx.messagesBodyBytes,
  schema: {
    operationId: 'postMessage',
    summary: 'Broadcast a message (or a batch of messages) to the mesh',
    tags: ['messages'],
    security: BEARER,
    body: POST_MESSAGES_SCHEMA,
    response: {
      202: jsonResponse(
        'published: a receipt for one message, the ids for a batch',
        'MessageAccepted',
      ),
      400: errorResponse('bad JSON or a field that fails validation (the message names it)'),
      401: UNAUTHORIZED,
      409: errorResponse('this node is an observer: it never publishes data'),
      413: errorResponse('body over the size limit, or a payload over a frame'),
      415: errorResponse('the body is not application/json'),
      429: LIMITED,
      503: errorResponse('the node is not started or not synced yet, or its send queue is full'),
      default: DEFAULT_ERROR,
    },
  },
  handler: (ctx) => async (request, reply) => {
    const body = request.body as PostMessagesBody
    if ('messages' in body) {
      const payloads = body.messages.map((message, i) => decode(message, `messages.${i}.data`))
      ready(ctx)
      const ids: string[] = []
      for (const payload of payloads) {
        try {
          ids.push((await ctx.node.broadcast(payload)).id)
        } catch (err) {
          throw broadcastError(err, `messages.${ids.length}.data`, ids)
        }
      }
      return await reply.code(202).send({ ids })
    }
    const payload = decode(body, 'data')
    ready(ctx)
    try {
      const receipt = await ctx.node.broadcast(payload)
      return await reply.code(202).send({ id: receipt.id, step: receipt.step, seq: receipt.seq })
    } catch (err) {
      throw broadcastError(err, 'data')
    }
  },
})

function decode(message: MessageRequest, field: string): Uint8Array | string {
  if (message.encoding !== 'base64') return message.data
  if (!BASE64.test(message.data)) throw badRequest(`${field}: is not valid base64`)
  return Buffer.from(message.data, 'base64')
}

/** broadcast() would wait for the join sync; the API answers at once instead. */
function ready(ctx: ApiContext): void {
  if (!ctx.readiness.ready) throw notReady()
}

/**
 * Errors of broadcast() by name (never by message text) → API errors. In a batch, the ids of
 * the messages already sent are named in the message, so a client knows where it stopped.
 */
function broadcastError(err: unknown, field: string, sent?: string[]): unknown {
  const name = err instanceof Error ? err.name : ''
  const message = err instanceof Error ? err.message : String(err)
  const partial =
    sent !== undefined && sent.length > 0 ? ` (${sent.length} sent first: ${sent.join(', ')})` : ''
  switch (name) {
    case 'ObserverModeError':
      return new ApiError(409, 'OBSERVER_MODE', message)
    case 'NotStartedError':
      return notReady(`the node is not started${partial}`)
    case 'PayloadTooLargeError':
      return payloadTooLarge(`${field}: ${message}${partial}`)
    case 'SendQueueFullError':
      return new ApiError(503, 'SEND_QUEUE_FULL', `the send queue is full; retry later${partial}`, {
        'Retry-After': '1',
      })
    default:
      return err
  }
}
