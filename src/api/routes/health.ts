import type { ApiContext } from '../context.js'
import type { Handler } from '../router.js'

/** `GET /health`: the process answers (liveness). */
export const health = (): Handler => () => ({ status: 200, json: { status: 'ok' } })

/** `GET /ready`: 200 once the node is started and its join sync is over, else 503. */
export const ready =
  (ctx: ApiContext): Handler =>
  () =>
    ctx.readiness.ready
      ? { status: 200, json: { status: 'ready' } }
      : {
          status: 503,
          json: {
            status: 'not-ready',
            error: { code: 'NOT_READY', message: 'the node is starting or in its join sync' },
          },
        }
