import type { AddressInfo } from 'node:net'
import { performance } from 'node:perf_hooks'
import type { FastifyInstance } from 'fastify'
import type { Logger } from 'pino'
import { buildApp } from './app.js'
import {
  DEFAULT_EVENT_BUFFER_BYTES,
  DEFAULT_MAX_BODY_BYTES,
  DEFAULT_MESSAGES_BODY_BYTES,
  DEFAULT_RATE_LIMIT,
} from './constants.js'
import type { ApiContext } from './context.js'
import { EventsStream } from './events-stream.js'
import { createApiMetrics } from './metrics.js'
import { PeerTracker } from './peer-tracker.js'
import { createLiveTokenBucket, createTokenBucket } from './rate-limit.js'
import { Readiness } from './readiness.js'
import type { ApiAddress, ApiDeps, ApiServer } from './types.js'

type State = 'stopped' | 'starting' | 'started' | 'stopping'

/** Builds the control API of one node; no I/O until start(). */
export function createApiServer(deps: ApiDeps): ApiServer {
  return new FastifyApiServer(deps)
}

class FastifyApiServer implements ApiServer {
  private readonly deps: ApiDeps
  private readonly log: Logger | undefined
  private readonly ctx: ApiContext
  private app: FastifyInstance | undefined
  private state: State = 'stopped'
  private address_: ApiAddress | undefined
  private starting: Promise<ApiAddress> | undefined

  constructor(deps: ApiDeps) {
    this.deps = deps
    this.log = deps.logger?.child({ component: 'api' })
    const { node } = deps
    const now = (): number => performance.now()
    const events: EventsStream = new EventsStream({
      node,
      bufferLimit: deps.eventBufferBytes ?? DEFAULT_EVENT_BUFFER_BYTES,
      ...(this.log !== undefined ? { logger: this.log } : {}),
      onDrop: (count) => metrics.countDroppedEvents(count),
      ...(deps.eventPingIntervalMs !== undefined
        ? { pingIntervalMs: deps.eventPingIntervalMs }
        : {}),
    })
    const metrics = createApiMetrics({ node, eventClients: () => events.clientCount })
    const fixed = deps.rateLimit
    this.ctx = {
      node,
      version: deps.version,
      tokens: { admin: deps.token, read: deps.readToken },
      readiness: new Readiness(node),
      metrics,
      peers: new PeerTracker(node),
      events,
      // A limit given to the server holds; otherwise the node's live config decides.
      writes:
        fixed !== undefined
          ? createTokenBucket({ ratePerSecond: fixed.writesPerSecond, burst: fixed.burst, now })
          : createLiveTokenBucket(() => node.config.apiRateLimit ?? DEFAULT_RATE_LIMIT, now),
      maxBodyBytes: deps.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES,
      messagesBodyBytes: deps.maxBodyBytes ?? DEFAULT_MESSAGES_BODY_BYTES,
      extraStatus: deps.extraStatus,
      log: this.log,
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
    // A Fastify instance listens once: each start builds its own.
    const app = await buildApp(this.ctx, this.deps.version)
    this.app = app
    this.ctx.readiness.start()
    this.ctx.peers.start()
    this.ctx.events.start()
    await app.listen({ port: this.deps.port, host: this.deps.host })
    app.server.on('error', (err) => this.log?.error({ err }, 'api server error'))
    const bound = app.server.address() as AddressInfo
    this.address_ = { host: bound.address, port: bound.port }
    this.log?.info(this.address_, 'control API listening')
    return this.address_
  }

  private async teardown(): Promise<void> {
    await this.ctx.events.stop()
    this.ctx.peers.stop()
    this.ctx.readiness.stop()
    const app = this.app
    this.app = undefined
    this.address_ = undefined
    // Idle keep-alive connections would hold close() open; in-flight requests are cut too.
    await app?.close()
  }
}
