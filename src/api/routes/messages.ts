import { previewData } from '../event-frames.js'
import type { ApiContext } from '../context.js'
import { ApiError, badRequest, notReady, payloadTooLarge } from '../errors.js'
import type { MessageRequest, PostMessagesBody } from '../schemas.js'
import type { ApiDirect } from '../types.js'
import {
  MESSAGES_QUERY_SCHEMA,
  POST_MESSAGES_BODY_SCHEMA,
  type MessagesQuery,
  type SingleMessageBody,
} from './messages-schemas.js'
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
 * With `to`: a directed message → `200 { id, to, attempts }`, `404 NO_TARGET`, `504`. With
 * `ack`: an acknowledged broadcast → `200`/`504 { id, step, seq, receipts, members }`.
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
    body: POST_MESSAGES_BODY_SCHEMA,
    response: {
      200: jsonResponse(
        'directed (`to`): acknowledged by its receiver; `ack`: enough members confirmed it',
        'MessageOutcome',
      ),
      202: jsonResponse(
        'published: a receipt for one message, the ids for a batch',
        'MessageAccepted',
      ),
      400: errorResponse(
        'bad JSON or a field that fails validation (the message names it); `to` and `ack` together',
      ),
      404: errorResponse('NO_TARGET: nothing matches `to` (unknown peer, no principal, no member)'),
      401: UNAUTHORIZED,
      409: errorResponse('this node is an observer: it never publishes data'),
      413: errorResponse('body over the size limit, or a payload over a frame'),
      415: errorResponse('the body is not application/json'),
      429: LIMITED,
      503: errorResponse('the node is not started or not synced yet, or its send queue is full'),
      504: jsonResponse(
        'no acknowledgement in `timeoutMs` (`DELIVERY_TIMEOUT`), or the receiver refused the frame (`DELIVERY_REFUSED`): `{ error }` for `to`; the counts for `ack` (`ACK_TIMEOUT`)',
        'MessageTimeout',
      ),
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
    const single = body as SingleMessageBody
    const payload = decode(body, 'data')
    if (single.to !== undefined && single.ack !== undefined)
      throw badRequest('to, ack: a directed message is acknowledged by its receiver; give one')
    if (single.to !== undefined || single.ack !== undefined) {
      const direct = ctx.node.direct
      if (direct === undefined)
        throw new ApiError(503, 'NOT_AVAILABLE', 'this node has no directed messaging')
      ready(ctx)
      const timeout = single.timeoutMs !== undefined ? { timeoutMs: single.timeoutMs } : {}
      if (single.to !== undefined) {
        const sent = await sendDirect(direct, single.to, payload, timeout)
        return await reply.code(200).send(sent)
      }
      const acked = await direct.broadcastAcked(payload, single.ack!, timeout).catch((err) => {
        throw broadcastError(err, 'data')
      })
      const counts = {
        id: acked.id,
        step: acked.step,
        seq: acked.seq,
        receipts: acked.receipts,
        members: acked.members,
      }
      if (acked.complete) return await reply.code(200).send(counts)
      return await reply.code(504).send({
        ...counts,
        error: {
          code: 'ACK_TIMEOUT',
          message: `${acked.receipts} of ${acked.members} members confirmed it within the timeout; ack ${single.ack} needs ${Math.ceil(single.ack! * acked.members - 1e-9)}`,
        },
      })
    }
    ready(ctx)
    try {
      const receipt = await ctx.node.broadcast(payload)
      return await reply.code(202).send({ id: receipt.id, step: receipt.step, seq: receipt.seq })
    } catch (err) {
      throw broadcastError(err, 'data')
    }
  },
})

async function sendDirect(
  direct: ApiDirect,
  to: string,
  payload: Uint8Array | string,
  options: { timeoutMs?: number },
): Promise<{ id: string; to: string; attempts: number }> {
  try {
    return await direct.send(to, payload, options)
  } catch (err) {
    const name = err instanceof Error ? err.name : ''
    const message = err instanceof Error ? err.message : String(err)
    switch (name) {
      case 'InvalidTargetError':
        throw badRequest(message)
      case 'NoTargetError':
        throw new ApiError(404, 'NO_TARGET', message)
      case 'DeliveryTimeoutError':
        throw new ApiError(504, 'DELIVERY_TIMEOUT', message)
      case 'DeliveryRefusedError':
        throw new ApiError(504, 'DELIVERY_REFUSED', message)
      case 'DirectBusyError':
        throw new ApiError(503, 'BUSY', message, { 'Retry-After': '1' })
      default:
        throw broadcastError(err, 'data')
    }
  }
}

/**
 * `GET /v1/messages?after=<cursor>&limit=<n>`: this node's log of delivered messages, oldest
 * first (DESIGN §15). `next` is the cursor to pass as `after` to read on; `truncated: true`
 * says messages after `after` were dropped (the log keeps `messageLogSize`) or `after` is not
 * of this run (the node restarted) — the page then starts at the oldest kept.
 */
export const getMessages = route({
  method: 'GET',
  path: '/v1/messages',
  auth: true,
  schema: {
    operationId: 'getMessages',
    summary: "This node's log of delivered messages, from a cursor",
    tags: ['messages'],
    security: BEARER,
    querystring: MESSAGES_QUERY_SCHEMA,
    response: {
      200: jsonResponse('messages after `after`, oldest first', 'MessageLog'),
      400: errorResponse('bad after or limit'),
      401: UNAUTHORIZED,
      503: errorResponse('the node is not started'),
      default: DEFAULT_ERROR,
    },
  },
  handler: (ctx) => (request) => {
    const log = ctx.node.messageLog
    if (log === undefined) throw notReady('this node keeps no message log')
    const query = request.query as MessagesQuery
    let page
    try {
      page = log.read(query.after, query.limit)
    } catch (err) {
      if (err instanceof Error && err.name === 'NotStartedError')
        throw notReady('the node is not started')
      throw err
    }
    return {
      messages: page.messages.map((message) => ({
        cursor: message.cursor,
        id: message.id,
        from: message.from,
        step: message.step,
        seq: message.seq,
        ...wholeData(message.data),
        direct: message.direct,
        receivedAt: message.receivedAt,
      })),
      next: page.next,
      truncated: page.truncated,
      dropped: log.stats().dropped,
    }
  },
})

/** The whole payload: text when printable UTF-8, base64 otherwise. */
function wholeData(data: Uint8Array): { data: string; encoding: 'utf8' | 'base64' } {
  const { data: text, encoding } = previewData(data, Number.POSITIVE_INFINITY)
  return { data: text, encoding }
}

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
    case 'InvalidAckError':
      return badRequest(message)
    case 'DirectBusyError':
      return new ApiError(503, 'BUSY', message, { 'Retry-After': '1' })
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
