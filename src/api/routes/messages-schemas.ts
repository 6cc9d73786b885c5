/**
 * Schemas of the message routes beyond the broadcast (DESIGN §15): directed and acknowledged
 * messages on `POST /v1/messages`, and the message log of `GET /v1/messages`. Added to Fastify
 * as shared schemas, so `/openapi.json` names them.
 */
import { MAX_LOG_PAGE } from '../../direct/constants.js'
import { MESSAGE_BATCH_SCHEMA, MESSAGE_REQUEST_SCHEMA } from '../schemas.js'

/** Default page of `GET /v1/messages`. */
export const DEFAULT_LOG_PAGE = 100

/** Longest `timeoutMs` a request may ask for, ms. */
export const MAX_SEND_TIMEOUT_MS = 120_000

export const SINGLE_MESSAGE_SCHEMA = {
  ...MESSAGE_REQUEST_SCHEMA,
  description:
    'A message: broadcast (no `to`), acknowledged broadcast (`ack`), or directed (`to`).',
  properties: {
    ...MESSAGE_REQUEST_SCHEMA.properties,
    to: {
      type: 'string',
      minLength: 1,
      maxLength: 300,
      description:
        'Send to one member: a peer id, `role:principal`, `role:member` (round-robin), `any` (random) or `key:<k>` (rendezvous hashing over alive members).',
    },
    ack: {
      type: 'number',
      exclusiveMinimum: 0,
      maximum: 1,
      description:
        'Broadcast, and answer once this fraction of the alive members (this node aside) delivered it.',
    },
    timeoutMs: {
      type: 'integer',
      minimum: 1,
      maximum: MAX_SEND_TIMEOUT_MS,
      default: 5000,
      description: 'How long `to` and `ack` wait for acknowledgements (ms).',
    },
  },
} as const

export const POST_MESSAGES_BODY_SCHEMA = {
  type: 'object',
  description:
    '`{ data, encoding?, to?, ack?, timeoutMs? }` for one message, `{ messages: [...] }` for a batch of broadcasts.',
  if: { type: 'object', required: ['messages'], properties: { messages: {} } },
  then: MESSAGE_BATCH_SCHEMA,
  else: SINGLE_MESSAGE_SCHEMA,
} as const

export interface SingleMessageBody {
  data: string
  encoding?: 'utf8' | 'base64'
  to?: string
  ack?: number
  timeoutMs?: number
}

export const MESSAGES_QUERY_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  properties: {
    after: {
      type: 'integer',
      minimum: 0,
      maximum: Number.MAX_SAFE_INTEGER,
      description:
        'Return the messages after this cursor (the `next` of the previous page); absent: from the oldest kept.',
    },
    limit: { type: 'integer', minimum: 1, maximum: MAX_LOG_PAGE, default: DEFAULT_LOG_PAGE },
  },
} as const

export interface MessagesQuery {
  after?: number
  limit: number
}

export const MESSAGE_SCHEMAS: Record<string, object> = {
  DirectReceipt: {
    type: 'object',
    description: 'a directed message acknowledged by its receiver',
    required: ['id', 'to', 'attempts'],
    properties: {
      id: { type: 'string', description: 'hex of the delivered frame tag' },
      to: { type: 'string', description: 'the peer that acknowledged it' },
      attempts: { type: 'integer', minimum: 1 },
    },
  },
  AckedReceipt: {
    type: 'object',
    description:
      'an acknowledged broadcast: how many of the alive members (at send time, this node aside) confirmed it; with `error` when too few did in time (504)',
    required: ['id', 'step', 'seq', 'receipts', 'members'],
    properties: {
      id: { type: 'string' },
      step: { type: 'integer' },
      seq: { type: 'integer' },
      receipts: { type: 'integer', minimum: 0 },
      members: { type: 'integer', minimum: 0 },
      error: {
        type: 'object',
        required: ['code', 'message'],
        properties: { code: { type: 'string' }, message: { type: 'string' } },
      },
    },
  },
  MessageOutcome: {
    description: 'a directed receipt (`to`), or an acknowledged broadcast (`ack`)',
    oneOf: [{ $ref: 'AckedReceipt#' }, { $ref: 'DirectReceipt#' }],
  },
  MessageTimeout: {
    description: 'an acknowledged broadcast with its counts, or `{ error }` for a directed one',
    // anyOf: an acknowledged broadcast's 504 carries `error` too, so it matches both.
    anyOf: [{ $ref: 'AckedReceipt#' }, { $ref: 'Error#' }],
  },
  LoggedMessage: {
    type: 'object',
    required: ['cursor', 'id', 'from', 'step', 'seq', 'data', 'encoding', 'direct', 'receivedAt'],
    properties: {
      cursor: { type: 'integer', description: 'increases by one per message' },
      id: { type: 'string' },
      from: { type: 'string', description: 'the sender' },
      step: { type: 'integer' },
      seq: { type: 'integer' },
      data: { type: 'string', description: 'the whole payload' },
      encoding: { type: 'string', enum: ['utf8', 'base64'] },
      direct: { type: 'boolean', description: 'a directed message (not a broadcast)' },
      receivedAt: { type: 'integer' },
    },
  },
  MessageLog: {
    type: 'object',
    required: ['messages', 'next', 'truncated'],
    properties: {
      messages: { type: 'array', items: { $ref: 'LoggedMessage#' } },
      next: { type: 'integer', description: 'pass it as `after` to read on' },
      truncated: {
        type: 'boolean',
        description:
          'messages after `after` were dropped (the log holds `messageLogSize` messages in `messageLogBytes` at most), or `after` is not a cursor of this run (the node restarted): some are missing',
      },
      dropped: { type: 'integer', description: 'messages dropped from the log since start' },
    },
  },
}
