import { ApiError } from '../errors.js'
import type { Handler } from '../router.js'

/** `GET /v1/events` without an upgrade: it is a WebSocket endpoint. */
export const events = (): Handler => () => {
  throw new ApiError(426, 'UPGRADE_REQUIRED', '/v1/events is a WebSocket endpoint', {
    Upgrade: 'websocket',
  })
}
