/**
 * Request body schemas of `POST /v1/messages`: Fastify validates bodies with them and
 * @fastify/swagger writes them into `/openapi.json`, so the document states what is checked.
 */
import { MAX_BATCH_MESSAGES } from './constants.js'

const ENCODING = {
  type: 'string',
  enum: ['utf8', 'base64'],
  default: 'utf8',
  description: 'How `data` is encoded.',
} as const

export const MESSAGE_REQUEST_SCHEMA = {
  type: 'object',
  description: 'A message to broadcast to the mesh.',
  required: ['data'],
  additionalProperties: false,
  properties: {
    data: {
      type: 'string',
      description: 'The payload: text, or base64 when `encoding` is `base64`.',
    },
    encoding: ENCODING,
  },
} as const

export const MESSAGE_BATCH_SCHEMA = {
  type: 'object',
  description: `Messages to broadcast, in order (at most ${MAX_BATCH_MESSAGES}); one rate-limit token for the whole batch.`,
  required: ['messages'],
  additionalProperties: false,
  properties: {
    messages: {
      type: 'array',
      minItems: 1,
      maxItems: MAX_BATCH_MESSAGES,
      items: MESSAGE_REQUEST_SCHEMA,
    },
  },
} as const

/** One message, or a batch when the body has `messages` (errors then name the batch's fields). */
export const POST_MESSAGES_SCHEMA = {
  type: 'object',
  description: '`{ data, encoding? }` for one message, `{ messages: [...] }` for a batch.',
  if: { type: 'object', required: ['messages'], properties: { messages: {} } },
  then: MESSAGE_BATCH_SCHEMA,
  else: MESSAGE_REQUEST_SCHEMA,
} as const

export interface MessageRequest {
  data: string
  encoding?: 'utf8' | 'base64'
}

export type PostMessagesBody = MessageRequest | { messages: MessageRequest[] }
