import { ServerResponse, createServer, type IncomingMessage, type Server } from 'node:http'
import type { AddressInfo, Socket } from 'node:net'
import type { Duplex } from 'node:stream'
import { performance } from 'node:perf_hooks'
import type { Logger } from 'pino'
import { requireToken } from './auth.js'
import {
  DEFAULT_EVENT_BUFFER_BYTES,
  DEFAULT_MAX_BODY_BYTES,
  DEFAULT_RATE_LIMIT,
  HEADERS_TIMEOUT_MS,
  REQUEST_TIMEOUT_MS,
} from './constants.js'
import type { ApiContext } from './context.js'
import {
  ApiError,
  internalError,
  rawErrorResponse,
  sendError,
  sendJson,
  sendText,
  tooManyRequests,
} from './errors.js'
import { EVENTS_PATH, EventsStream } from './events-stream.js'
import { createApiMetrics, type ApiMetrics } from './metrics.js'
import { PeerTracker } from './peer-tracker.js'
import { createTokenBucket, type TokenBucket } from './rate-limit.js'
import { Readiness } from './readiness.js'
import { matchRoute, splitTarget, type Handlers, type Reply } from './router.js'
import { listAdvice, postAdvice, rollbackAdvice } from './routes/advice.js'
import { anomalies } from './routes/anomalies.js'
import { dashboard } from './routes/dashboard.js'
import { networkMetrics } from './routes/network.js'
import { events } from './routes/events.js'
import { health, ready } from './routes/health.js'
import { postMessage } from './routes/messages.js'
import { metrics } from './routes/metrics.js'
import { openapi } from './routes/openapi.js'
import { peers } from './routes/peers.js'
import { status } from './routes/status.js'
import type { ApiAddress, ApiDeps, ApiServer } from './types.js'

type State = 'stopped' | 'starting' | 'started' | 'stopping'

const KNOWN_METHODS = new Set(['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'])

/** Builds the control API of one node; no I/O until start(). */
export function createApiServer(deps: ApiDeps): ApiServer {
  return new HttpApiServer(deps)
}

class HttpApiServer implements ApiServer {
  private readonly deps: ApiDeps
  private readonly log: Logger | undefined
  private readonly metrics: ApiMetrics
  private readonly readiness: Readiness
  private readonly peers: PeerTracker
  private readonly events: EventsStream
  private readonly bucket: TokenBucket
  private readonly handlers: Handlers
  private server: Server | undefined
  private state: State = 'stopped'
  private address_: ApiAddress | undefined
  private starting: Promise<ApiAddress> | undefined

  constructor(deps: ApiDeps) {
    this.deps = deps
    this.log = deps.logger?.child({ component: 'api' })
    const rate = deps.rateLimit ?? DEFAULT_RATE_LIMIT
    this.bucket = createTokenBucket({
      ratePerSecond: rate.writesPerSecond,
      burst: rate.burst,
      now: () => performance.now(),
    })
    this.readiness = new Readiness(deps.node)
    this.peers = new PeerTracker(deps.node)
    this.events = new EventsStream({
      node: deps.node,
      token: deps.token,
      bufferLimit: deps.eventBufferBytes ?? DEFAULT_EVENT_BUFFER_BYTES,
      ...(this.log !== undefined ? { logger: this.log } : {}),
      onDrop: (count) => this.metrics.countDroppedEvents(count),
      onUpgrade: (code) => this.metrics.countRequest('GET', EVENTS_PATH, code),
      ...(deps.eventPingIntervalMs !== undefined
        ? { pingIntervalMs: deps.eventPingIntervalMs }
        : {}),
    })
    this.metrics = createApiMetrics({
      node: deps.node,
      eventClients: () => this.events.clientCount,
    })
    const ctx: ApiContext = {
      node: deps.node,
      version: deps.version,
      readiness: this.readiness,
      metrics: this.metrics,
      peers: this.peers,
      maxBodyBytes: deps.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES,
      extraStatus: deps.extraStatus,
    }
    this.handlers = {
      health: health(),
      ready: ready(ctx),
      metrics: metrics(ctx),
      openapi: openapi(deps.version),
      status: status(ctx),
      peers: peers(ctx),
      anomalies: anomalies(ctx),
      networkMetrics: networkMetrics(ctx),
      dashboard: dashboard(),
      postMessage: postMessage(ctx),
      listAdvice: listAdvice(ctx),
      postAdvice: postAdvice(ctx),
      rollbackAdvice: rollbackAdvice(ctx),
      events: events(),
    }
  }

  get address(): ApiAddress | undefined {
    return this.address_
  }

  async start(): Promise<ApiAddress> {
    if (this.state === 'started' && this.address_ !== undefined) return this.address_
    if (this.starting !== undefined) return await this.starting
    if (this.state !== 'stopped') throw new Error(`cannot start the API while ${this.state}`)
    this.state = 'starting'
    this.starting = this.listen()
    try {
      const address = await this.starting
      this.state = 'started'
      return address
    } catch (err) {
      await this.teardown()
      this.state = 'stopped'
      throw err
    } finally {
      this.starting = undefined
    }
  }

  /** Stops in reverse order of start; harmless when called twice or before start(). */
  async stop(): Promise<void> {
    if (this.starting !== undefined) await this.starting.catch(() => undefined)
    if (this.state !== 'started') return
    this.state = 'stopping'
    await this.teardown()
    this.state = 'stopped'
  }

  private async listen(): Promise<ApiAddress> {
    const server = createServer((req, res) => {
      void this.handle(req, res)
    })
    server.headersTimeout = HEADERS_TIMEOUT_MS
    server.requestTimeout = REQUEST_TIMEOUT_MS
    server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
      // WebSocket upgrades go to the event stream (404 off its path); others (h2c) are HTTP.
      const websocket = req.headers.upgrade?.toLowerCase() === 'websocket'
      if (websocket || splitTarget(req.url).path === EVENTS_PATH)
        this.events.handleUpgrade(req, socket, head)
      else this.serveUpgradeAsHttp(req, socket as Socket)
    })
    server.on('clientError', (err: Error & { code?: string }, socket: Duplex) =>
      this.onClientError(err, socket),
    )
    this.server = server
    this.readiness.start()
    this.peers.start()
    this.events.start()
    await new Promise<void>((resolve, reject) => {
      const onError = (err: Error): void => reject(err)
      server.once('error', onError)
      server.listen(this.deps.port, this.deps.host, () => {
        server.off('error', onError)
        resolve()
      })
    })
    server.on('error', (err) => this.log?.error({ err }, 'api server error'))
    const bound = server.address() as AddressInfo
    this.address_ = { host: bound.address, port: bound.port }
    this.log?.info(this.address_, 'control API listening')
    return this.address_
  }

  private async teardown(): Promise<void> {
    await this.events.stop()
    this.peers.stop()
    this.readiness.stop()
    const server = this.server
    this.server = undefined
    this.address_ = undefined
    if (server === undefined || !server.listening) return
    await new Promise<void>((resolve) => {
      server.close(() => resolve())
      // Idle keep-alive connections would hold close() open; in-flight requests are cut too.
      server.closeAllConnections()
    })
  }

  /** The one wrapper: route, auth, rate limit, handler, error mapping, logging, metrics. */
  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    res.on('error', (err) => this.log?.debug({ err }, 'response error'))
    const { path, query } = splitTarget(req.url)
    let routeLabel = 'unmatched'
    try {
      const route = matchRoute(req.method, path)
      routeLabel = route.path
      if (route.auth) requireToken(req, this.deps.token)
      if (route.write) {
        const taken = this.bucket.take()
        if (!taken.ok) throw tooManyRequests(taken.retryAfterMs)
      }
      const reply = await this.handlers[route.handler]({ req, path, query })
      this.write(res, reply)
    } catch (err) {
      let error: ApiError
      if (err instanceof ApiError) {
        error = err
      } else {
        this.log?.error({ err, method: req.method, path }, 'api request failed')
        error = internalError()
      }
      if (res.headersSent) res.destroy()
      else sendError(res, error)
    } finally {
      const method = KNOWN_METHODS.has(req.method ?? '') ? (req.method as string) : 'OTHER'
      this.metrics.countRequest(method, routeLabel, res.statusCode)
    }
  }

  private write(res: ServerResponse, reply: Reply): void {
    if ('json' in reply) sendJson(res, reply.status, reply.json, reply.headers)
    else sendText(res, reply.status, reply.text, reply.contentType)
  }

  /**
   * An upgrade request (e.g. `Upgrade: h2c` from curl --http2) to a plain route: answered as
   * the plain request it also is, on a connection that then closes.
   */
  private serveUpgradeAsHttp(req: IncomingMessage, socket: Socket): void {
    socket.on('error', (err) => this.log?.debug({ err }, 'upgrade socket error'))
    const res = new ServerResponse(req)
    res.shouldKeepAlive = false
    res.assignSocket(socket)
    res.once('finish', () => {
      res.detachSocket(socket)
      socket.end()
    })
    void this.handle(req, res)
  }

  /** Malformed HTTP: a JSON 400 (431 for oversized headers) when the socket can still take it. */
  private onClientError(err: Error & { code?: string }, socket: Duplex): void {
    if (err.code === 'ECONNRESET' || !socket.writable) {
      socket.destroy()
      return
    }
    const error =
      err.code === 'HPE_HEADER_OVERFLOW'
        ? new ApiError(431, 'HEADERS_TOO_LARGE', 'request headers too large')
        : new ApiError(400, 'BAD_REQUEST', 'malformed HTTP request')
    socket.end(rawErrorResponse(error))
  }
}
