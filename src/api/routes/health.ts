import { ApiError } from '../errors.js'
import { DEFAULT_ERROR, contentResponse, jsonResponse, route } from './route.js'

/** `GET /health`: the process answers (liveness). */
export const health = route({
  method: 'GET',
  path: '/health',
  schema: {
    operationId: 'getHealth',
    summary: 'Liveness',
    tags: ['health'],
    response: { 200: jsonResponse('the process answers', 'Health'), default: DEFAULT_ERROR },
  },
  handler: () => () => ({ status: 'ok' }),
})

/** `GET /ready`: 200 once the node is started and its join sync is over, else 503. */
export const ready = route({
  method: 'GET',
  path: '/ready',
  schema: {
    operationId: 'getReady',
    summary: 'Readiness: started and join sync done',
    tags: ['health'],
    response: {
      200: jsonResponse('ready', 'Ready'),
      503: jsonResponse('starting, syncing or stopped', 'NotReady'),
      default: DEFAULT_ERROR,
    },
  },
  handler: (ctx) => async (_request, reply) =>
    ctx.readiness.ready
      ? { status: 'ready' }
      : await reply.code(503).send({
          status: 'not-ready',
          error: { code: 'NOT_READY', message: 'the node is starting or in its join sync' },
        }),
})

/** `GET /metrics`: Prometheus text exposition. */
export const metrics = route({
  method: 'GET',
  path: '/metrics',
  schema: {
    operationId: 'getMetrics',
    summary: 'Prometheus metrics',
    tags: ['health'],
    response: {
      200: contentResponse('Prometheus text exposition format 0.0.4', 'text/plain'),
      default: DEFAULT_ERROR,
    },
  },
  handler: (ctx) => async (_request, reply) => {
    const { text, contentType } = await ctx.metrics.render()
    return await reply.type(contentType).send(text)
  },
})

/**
 * `GET /v1/metrics/network`: the observer's NetworkMetrics `{ totalNodes, messagesPerSecond,
 * averageLatency, patternMismatches, networkHealth }` (see src/observer/network-metrics.ts for
 * how health is computed); 503 on a node without an observer.
 */
export const networkMetrics = route({
  method: 'GET',
  path: '/v1/metrics/network',
  schema: {
    operationId: 'getNetworkMetrics',
    summary: 'Mesh-wide figures from the observer',
    description:
      'networkHealth = (alive / known members) × (accepted / (accepted + rejected) frames over the last 10 s) × (0.5 if a SPLIT_BRAIN was seen in the last minute); 1 is a healthy mesh.',
    tags: ['observer'],
    response: {
      200: jsonResponse('NetworkMetrics', 'NetworkMetrics'),
      503: jsonResponse('no observer on this node (not started)', 'Error'),
      default: DEFAULT_ERROR,
    },
  },
  handler: (ctx) => () => {
    const read = ctx.node.networkMetrics
    if (read === undefined)
      throw new ApiError(503, 'NO_OBSERVER', 'this node has no observer running (not started?)')
    return read()
  },
})
