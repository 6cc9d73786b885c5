import type { ApiContext } from '../context.js'
import type { Handler } from '../router.js'

/** `GET /metrics`: Prometheus text exposition. */
export const metrics =
  (ctx: ApiContext): Handler =>
  async () => {
    const { text, contentType } = await ctx.metrics.render()
    return { status: 200, text, contentType }
  }
