import { DEFAULT_ANOMALY_LIMIT, MAX_ANOMALY_LIMIT } from './constants.js'
import { EVENT_TYPES } from './event-frames.js'
import { OPENAPI_SCHEMAS, ref } from './openapi-schemas.js'
import { ADVICE_OPENAPI_SCHEMAS, ADVICE_PATHS } from './routes/advice-openapi.js'

/** The OpenAPI 3.1 document of the control API. A test holds it against the route table. */
export interface OpenApiDocument {
  openapi: '3.1.0'
  info: { title: string; version: string; description: string }
  paths: Record<string, Partial<Record<'get' | 'post', OpenApiOperation>>>
  components: {
    schemas: Record<string, object>
    responses: Record<string, OpenApiResponse>
    securitySchemes: Record<string, object>
  }
}

export interface OpenApiOperation {
  operationId: string
  summary: string
  description?: string
  tags: string[]
  security?: Array<Record<string, string[]>>
  parameters?: object[]
  requestBody?: object
  /** Keyed by status code; `default` covers the 500 every route may answer. */
  responses: Record<string, OpenApiResponse | { $ref: string }>
}

export interface OpenApiResponse {
  description: string
  headers?: Record<string, object>
  content?: Record<string, { schema: object }>
}

const json = (schema: object): OpenApiResponse['content'] => ({
  'application/json': { schema },
})
const errorResponse = (description: string, headers?: Record<string, object>): OpenApiResponse => ({
  description,
  ...(headers !== undefined ? { headers } : {}),
  content: json(ref('Error')),
})
const errors = { $ref: '#/components/responses/Error' }
const bearer = [{ bearerAuth: [] }]

export function buildOpenApiDocument(version: string): OpenApiDocument {
  return {
    openapi: '3.1.0',
    info: {
      title: 'patternmesh node control API',
      version,
      description:
        'Per-node control API. Reads are open; writes and the event stream need `Authorization: Bearer <token>`. Errors are `{ error: { code, message } }`; an unknown path answers 404 and a wrong method 405 with `Allow`.',
    },
    paths: {
      '/': {
        get: {
          operationId: 'getDashboard',
          summary: 'Live dashboard (HTML page)',
          description:
            'Members, steps, principal and term, message rate and the anomaly feed, live over `/v1/events`. Give the token as `/#token=<token>` or in the page.',
          tags: ['observer'],
          responses: {
            '200': {
              description: 'the dashboard page',
              content: { 'text/html': { schema: { type: 'string' } } },
            },
            default: errors,
          },
        },
      },
      '/health': {
        get: {
          operationId: 'getHealth',
          summary: 'Liveness',
          tags: ['health'],
          responses: {
            '200': { description: 'the process answers', content: json(ref('Health')) },
            default: errors,
          },
        },
      },
      '/ready': {
        get: {
          operationId: 'getReady',
          summary: 'Readiness: started and join sync done',
          tags: ['health'],
          responses: {
            '200': { description: 'ready', content: json(ref('Ready')) },
            '503': { description: 'starting, syncing or stopped', content: json(ref('NotReady')) },
            default: errors,
          },
        },
      },
      '/metrics': {
        get: {
          operationId: 'getMetrics',
          summary: 'Prometheus metrics',
          tags: ['health'],
          responses: {
            '200': {
              description: 'Prometheus text exposition format 0.0.4',
              content: { 'text/plain': { schema: { type: 'string' } } },
            },
            default: errors,
          },
        },
      },
      '/openapi.json': {
        get: {
          operationId: 'getOpenApi',
          summary: 'This document',
          tags: ['meta'],
          responses: {
            '200': { description: 'OpenAPI 3.1 document', content: json({ type: 'object' }) },
            default: errors,
          },
        },
      },
      '/v1/status': {
        get: {
          operationId: 'getStatus',
          summary: 'Node status',
          tags: ['node'],
          responses: {
            '200': { description: 'status', content: json(ref('Status')) },
            default: errors,
          },
        },
      },
      '/v1/peers': {
        get: {
          operationId: 'getPeers',
          summary: 'Members of the mesh as this node sees them',
          tags: ['node'],
          responses: {
            '200': { description: 'peers', content: json(ref('Peers')) },
            default: errors,
          },
        },
      },
      '/v1/anomalies': {
        get: {
          operationId: 'getAnomalies',
          summary: 'Recorded anomalies, newest first',
          tags: ['observer'],
          parameters: [
            {
              name: 'kind',
              in: 'query',
              description: 'comma-separated anomaly kinds',
              schema: { type: 'string' },
              examples: { replay: { value: 'REPLAY,STEP_SKEW' } },
            },
            {
              name: 'limit',
              in: 'query',
              schema: {
                type: 'integer',
                minimum: 1,
                maximum: MAX_ANOMALY_LIMIT,
                default: DEFAULT_ANOMALY_LIMIT,
              },
            },
            {
              name: 'peer',
              in: 'query',
              description: 'only anomalies blamed on this peer id',
              schema: { type: 'string' },
            },
          ],
          responses: {
            '200': { description: 'anomalies', content: json(ref('Anomalies')) },
            '400': errorResponse('bad kind, limit or peer'),
            default: errors,
          },
        },
      },
      '/v1/metrics/network': {
        get: {
          operationId: 'getNetworkMetrics',
          summary: 'Mesh-wide figures from the observer',
          description:
            'networkHealth = (alive / known members) × (accepted / (accepted + rejected) frames over the last 10 s) × (0.5 if a SPLIT_BRAIN was seen in the last minute); 1 is a healthy mesh.',
          tags: ['observer'],
          responses: {
            '200': { description: 'NetworkMetrics', content: json(ref('NetworkMetrics')) },
            '503': errorResponse('no observer on this node (not started)'),
            default: errors,
          },
        },
      },
      '/v1/messages': {
        post: {
          operationId: 'postMessage',
          summary: 'Broadcast a message to the mesh',
          tags: ['messages'],
          security: bearer,
          requestBody: { required: true, content: json(ref('MessageRequest')) },
          responses: {
            '202': { description: 'published', content: json(ref('MessageReceipt')) },
            '400': errorResponse(
              'bad JSON or a field that fails validation (the message names it)',
            ),
            '401': errorResponse('missing or wrong token', {
              'WWW-Authenticate': { schema: { type: 'string' } },
            }),
            '409': errorResponse('this node is an observer: it never publishes data'),
            '413': errorResponse('body over the size limit, or payload over a frame'),
            '415': errorResponse('the body is not application/json'),
            '429': errorResponse('too many writes', {
              'Retry-After': { schema: { type: 'integer' } },
            }),
            '503': errorResponse(
              'the node is not started or not synced yet, or its send queue is full',
            ),
            default: errors,
          },
        },
      },
      ...ADVICE_PATHS,
      '/v1/events': {
        get: {
          operationId: 'getEvents',
          summary: 'Live events (WebSocket)',
          description:
            'Upgrade to a WebSocket; each frame is one JSON event (see the Event schema). The token may also be given as `?token=` (browsers cannot set headers on a WebSocket).',
          tags: ['events'],
          security: bearer,
          parameters: [
            {
              name: 'types',
              in: 'query',
              description: `comma-separated event types: ${EVENT_TYPES.join(', ')}`,
              schema: { type: 'string' },
            },
            {
              name: 'token',
              in: 'query',
              description: 'bearer token (WebSocket only)',
              schema: { type: 'string' },
            },
          ],
          responses: {
            '101': {
              description: 'switching to the WebSocket protocol; frames are Event objects',
              content: json(ref('Event')),
            },
            '400': errorResponse('unknown event type in `types`'),
            '401': errorResponse('missing or wrong token', {
              'WWW-Authenticate': { schema: { type: 'string' } },
            }),
            '426': errorResponse('a plain GET: upgrade to a WebSocket', {
              Upgrade: { schema: { type: 'string' } },
            }),
            default: errors,
          },
        },
      },
    },
    components: {
      schemas: { ...OPENAPI_SCHEMAS, ...ADVICE_OPENAPI_SCHEMAS },
      responses: { Error: errorResponse('unexpected error (500) or unknown route (404)') },
      securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer' } },
    },
  }
}
