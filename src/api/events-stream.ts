import type { Logger } from 'pino'
import type { WebSocket } from 'ws'
import { EVENT_PING_INTERVAL_MS } from './constants.js'
import { EventClient } from './event-client.js'
import {
  memberFrame,
  messageFrame,
  rejectedFrame,
  stepFrame,
  type EventFrame,
} from './event-frames.js'
import type { ApiEvent, ApiNode, ApiNodeEvents } from './types.js'

export const EVENTS_PATH = '/v1/events'

export interface EventsStreamInit {
  node: ApiNode
  bufferLimit: number
  logger?: Logger
  onDrop: (count: number) => void
  pingIntervalMs?: number
}

interface Subscriber {
  ws: WebSocket
  client: EventClient
  alive: boolean
}

/**
 * `/v1/events`: node events (and those components push through `subscribeEvents`) as JSON
 * frames `{ type, at, ...payload }`, one a frame, to every authorised WebSocket client.
 * The route (routes/events.ts) authorises upgrades; @fastify/websocket upgrades them. Listeners
 * are added in start() and removed in stop(), which also closes every client (1001).
 */
export class EventsStream {
  private readonly init: EventsStreamInit
  private readonly log: Logger | undefined
  private readonly subscribers = new Set<Subscriber>()
  /** One per start: listeners, the external subscription and the ping timer end with it. */
  private controller: AbortController | undefined

  constructor(init: EventsStreamInit) {
    this.init = init
    this.log = init.logger
  }

  get clientCount(): number {
    return this.subscribers.size
  }

  start(): void {
    if (this.controller !== undefined) return
    const controller = new AbortController()
    this.controller = controller
    const { signal } = controller
    const { node } = this.init
    this.on('message', (event) => this.publish(messageFrame(event.detail)))
    this.on('step.changed', (event) => this.publish(stepFrame(event.detail)))
    this.on('peer.connected', (event) =>
      this.publish(memberFrame(event.detail.peerId, 'connected')),
    )
    this.on('peer.disconnected', (event) =>
      this.publish(memberFrame(event.detail.peerId, 'disconnected')),
    )
    this.on('verdict', (event) => {
      const frame = rejectedFrame(event.detail)
      if (frame !== undefined) this.publish(frame)
    })
    if (node.subscribeEvents !== undefined) {
      const unsubscribe = node.subscribeEvents((event) => this.publishExternal(event))
      signal.addEventListener('abort', unsubscribe, { once: true })
    }
    const pingTimer = setInterval(
      () => this.pingAll(),
      this.init.pingIntervalMs ?? EVENT_PING_INTERVAL_MS,
    )
    pingTimer.unref()
    signal.addEventListener('abort', () => clearInterval(pingTimer), { once: true })
  }

  /** Detaches from the node, closes every client (1001 going away) and the ws server. */
  async stop(): Promise<void> {
    if (this.controller === undefined) return
    this.controller.abort()
    this.controller = undefined
    const closing = [...this.subscribers].map(async ({ ws }) => {
      await new Promise<void>((resolve) => {
        if (ws.readyState === ws.CLOSED) return resolve()
        // A client that does not answer the close frame is cut after a short wait.
        const timer = setTimeout(() => ws.terminate(), 1000)
        ws.once('close', () => {
          clearTimeout(timer)
          resolve()
        })
        ws.close(1001, 'server stopping')
      })
    })
    await Promise.all(closing)
    this.subscribers.clear()
  }

  /** Whether the stream takes clients (between start and stop). */
  get running(): boolean {
    return this.controller !== undefined
  }

  /** A client whose upgrade was authorised: it gets `hello`, then the frames it asked for. */
  accept(ws: WebSocket, types: ReadonlySet<string> | undefined): void {
    if (this.controller === undefined) {
      ws.close(1001, 'server stopping')
      return
    }
    const subscriber: Subscriber = {
      ws,
      alive: true,
      client: new EventClient({
        socket: ws,
        types,
        bufferLimit: this.init.bufferLimit,
        onDrop: this.init.onDrop,
      }),
    }
    this.subscribers.add(subscriber)
    ws.on('pong', () => {
      subscriber.alive = true
    })
    ws.on('close', () => this.subscribers.delete(subscriber))
    ws.on('error', (err) => this.log?.debug({ err }, 'events client error'))
    // Clients never need to talk; whatever they send is ignored.
    ws.on('message', () => undefined)
    subscriber.client.send(
      JSON.stringify({
        type: 'hello',
        at: Date.now(),
        peerId: safePeerId(this.init.node),
        step: this.init.node.step,
        types: types === undefined ? null : [...types],
      }),
    )
  }

  private publish(frame: EventFrame): void {
    if (this.subscribers.size === 0) return
    let text: string | undefined
    for (const { client } of this.subscribers) {
      if (!client.wants(frame.type)) continue
      text ??= JSON.stringify(frame)
      client.send(text)
    }
  }

  private publishExternal(event: ApiEvent): void {
    if (typeof event?.type !== 'string' || event.type.length === 0) return
    try {
      this.publish({ ...event, type: event.type, at: event.at ?? Date.now() })
    } catch (err) {
      // A component's event that cannot be serialised must not hurt the stream.
      this.log?.warn({ err, type: event.type }, 'event not published')
    }
  }

  private pingAll(): void {
    for (const subscriber of this.subscribers) {
      if (!subscriber.alive) {
        subscriber.ws.terminate()
        continue
      }
      subscriber.alive = false
      subscriber.ws.ping()
    }
  }

  private on<K extends keyof ApiNodeEvents>(
    type: K,
    handler: (event: ApiNodeEvents[K]) => void,
  ): void {
    const listener = (event: ApiNodeEvents[K]): void => {
      try {
        handler(event)
      } catch (err) {
        this.log?.warn({ err, type }, 'event not published')
      }
    }
    this.init.node.addEventListener(type, listener)
    this.controller?.signal.addEventListener(
      'abort',
      () => this.init.node.removeEventListener(type, listener),
      { once: true },
    )
  }
}

export function safePeerId(node: ApiNode): string | null {
  try {
    return node.peerId
  } catch {
    return null // not started
  }
}
