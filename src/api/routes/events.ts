import type { FastifyRequest } from 'fastify'
import { EVENT_TYPES, parseTypesFilter } from '../event-frames.js'
import { EVENTS_PATH } from '../events-stream.js'
import { ApiError, badRequest } from '../errors.js'
import {
  DEFAULT_ERROR,
  READ_BEARER,
  UNAUTHORIZED,
  errorResponse,
  jsonResponse,
  route,
} from './route.js'

/** The `?types=` filter of an authorised upgrade, from its check to its handler. */
const filters = new WeakMap<FastifyRequest, ReadonlySet<string> | undefined>()

/**
 * `GET /v1/events`: a WebSocket of live events (DESIGN §8). The token (header, or `?token=` on
 * an upgrade) and `?types=` are checked before the upgrade, so a refusal is a plain HTTP
 * answer; a GET without an upgrade gets 426.
 */
export const events = route({
  method: 'GET',
  path: EVENTS_PATH,
  auth: true,
  websocket: true,
  schema: {
    operationId: 'getEvents',
    summary: 'Live events (WebSocket)',
    description:
      'Upgrade to a WebSocket; each frame is one JSON event (see the Event schema). The read token or the admin one; it may also be given as `?token=` (browsers cannot set headers on a WebSocket).',
    tags: ['events'],
    security: READ_BEARER,
    querystring: {
      type: 'object',
      properties: {
        types: {
          type: 'string',
          description: `comma-separated event types: ${EVENT_TYPES.join(', ')}`,
        },
        token: { type: 'string', description: 'bearer token (WebSocket only)' },
      },
    },
    response: {
      101: jsonResponse('switching to the WebSocket protocol; frames are Event objects', 'Event'),
      400: errorResponse('unknown event type in `types`'),
      401: UNAUTHORIZED,
      426: errorResponse('a plain GET: upgrade to a WebSocket', { Upgrade: { type: 'string' } }),
      default: DEFAULT_ERROR,
    },
  },
  preHandler: (ctx) => (request) => {
    if (!request.ws) return
    if (!ctx.events.running) throw new ApiError(503, 'NOT_READY', 'the API is stopping')
    const filter = parseTypesFilter((request.query as { types?: string }).types ?? null)
    if (!filter.ok) throw badRequest(filter.message)
    filters.set(request, filter.types)
  },
  handler: () => () => {
    throw new ApiError(426, 'UPGRADE_REQUIRED', '/v1/events is a WebSocket endpoint', {
      Upgrade: 'websocket',
    })
  },
  wsHandler: (ctx) => (socket, request) => {
    ctx.metrics.countRequest('GET', EVENTS_PATH, 101)
    ctx.events.accept(socket, filters.get(request))
  },
})
