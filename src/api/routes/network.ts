import type { ApiContext } from '../context.js'
import { ApiError } from '../errors.js'
import type { Handler } from '../router.js'

/**
 * `GET /v1/metrics/network`: the observer's NetworkMetrics `{ totalNodes, messagesPerSecond,
 * averageLatency, patternMismatches, networkHealth }` (see src/observer/network-metrics.ts for
 * how health is computed); 503 on a node without an observer.
 */
export const networkMetrics =
  (ctx: ApiContext): Handler =>
  () => {
    const read = ctx.node.networkMetrics
    if (read === undefined)
      throw new ApiError(503, 'NO_OBSERVER', 'this node has no observer running (not started?)')
    return { status: 200, json: read() }
  }
