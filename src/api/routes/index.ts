import { listAdvice, postAdvice, rollbackAdvice } from './advice.js'
import { anomalies } from './anomalies.js'
import { events } from './events.js'
import { health, metrics, networkMetrics, ready } from './health.js'
import { listKeys, postKeys } from './keys.js'
import { getMessages, postMessages } from './messages.js'
import { dashboard, favicon, openapi } from './meta.js'
import { peers } from './peers.js'
import type { ApiRoute, HttpMethod } from './route.js'
import { status } from './status.js'

/** Every route the server has, in the order of `/openapi.json`. */
export const API_ROUTES: readonly ApiRoute[] = [
  dashboard,
  favicon,
  health,
  ready,
  metrics,
  openapi,
  status,
  peers,
  anomalies,
  networkMetrics,
  postMessages,
  getMessages,
  listAdvice,
  postAdvice,
  rollbackAdvice,
  listKeys,
  postKeys,
  events,
]

export interface RouteSpec {
  method: HttpMethod
  path: string
  auth: boolean
  write: boolean
  websocket: boolean
}

/** The route table in short: method, path and rules of each route. */
export const ROUTES: readonly RouteSpec[] = API_ROUTES.map(
  ({ method, path, auth = false, write = false, websocket = false }) => ({
    method,
    path,
    auth,
    write,
    websocket,
  }),
)

export type { ApiRoute, HttpMethod } from './route.js'
