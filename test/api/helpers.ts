import type { Logger } from 'pino'
import { WebSocket } from 'ws'
import {
  createApiServer,
  meshNodeView,
  type ApiDeps,
  type ApiNode,
  type ApiServer,
} from '../../src/api/index.js'
import type { MeshPeer as MeshNode } from '../../src/peer/mesh-peer.js'
import { MeshFixture, connect, subscribersOf } from '../helpers/mesh.js'
import { until } from '../helpers/until.js'

export const TOKEN = 'test-token-0123456789abcdef'
/** The read-only token every fixture API also takes (GETs and the event stream). */
export const READ_TOKEN = 'read-token-0123456789abcdef'

/** Request options carrying the bearer token. */
export const AUTH = { headers: { Authorization: `Bearer ${TOKEN}` } }

export interface RunningApi {
  server: ApiServer
  base: string
  wsBase: string
  url(path: string): string
  /** fetch with the bearer token. */
  authed(path: string, init?: RequestInit): Promise<Response>
  postMessage(body: unknown, init?: RequestInit): Promise<Response>
}

/** Starts API servers on 127.0.0.1:0 and stops every one in `stopAll` (afterEach). */
export class ApiFixture {
  private readonly servers: ApiServer[] = []
  private readonly sockets: WebSocket[] = []

  async start(node: ApiNode, overrides: Partial<ApiDeps> = {}): Promise<RunningApi> {
    const server = createApiServer({
      node,
      token: TOKEN,
      readToken: READ_TOKEN,
      host: '127.0.0.1',
      port: 0,
      version: '9.9.9-test',
      ...overrides,
    })
    this.servers.push(server)
    const { host, port } = await server.start()
    const base = `http://${host}:${port}`
    const authed = async (path: string, init: RequestInit = {}): Promise<Response> =>
      await fetch(`${base}${path}`, {
        ...init,
        headers: { Authorization: `Bearer ${TOKEN}`, ...(init.headers as Record<string, string>) },
      })
    return {
      server,
      base,
      wsBase: `ws://${host}:${port}`,
      url: (path) => `${base}${path}`,
      authed,
      postMessage: async (body, init = {}) =>
        await authed('/v1/messages', {
          method: 'POST',
          ...init,
          headers: {
            'Content-Type': 'application/json',
            ...(init.headers as Record<string, string>),
          },
          body: typeof body === 'string' ? body : JSON.stringify(body),
        }),
    }
  }

  /** Opens a WebSocket that is closed in stopAll. */
  socket(url: string, options: ConstructorParameters<typeof WebSocket>[2] = {}): WebSocket {
    const ws = new WebSocket(url, options)
    ws.on('error', () => undefined)
    this.sockets.push(ws)
    return ws
  }

  async stopAll(): Promise<void> {
    for (const ws of this.sockets.splice(0)) ws.terminate()
    await Promise.all(this.servers.splice(0).map(async (server) => await server.stop()))
  }
}

/** Collects the JSON frames of a WebSocket. */
export function framesOf(ws: WebSocket): Array<Record<string, unknown>> {
  const frames: Array<Record<string, unknown>> = []
  ws.on('message', (data) => frames.push(JSON.parse(String(data)) as Record<string, unknown>))
  return frames
}

export async function opened(ws: WebSocket): Promise<void> {
  if (ws.readyState === ws.OPEN) return
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve())
    ws.once('error', reject)
  })
}

/** The status of a refused upgrade (from ws's 'unexpected-response'). */
export async function refusedStatus(
  ws: WebSocket,
): Promise<{ status: number; body: string; headers: Record<string, unknown> }> {
  return await new Promise((resolve, reject) => {
    ws.once('open', () => reject(new Error('the upgrade was accepted')))
    ws.once('unexpected-response', (_req, res) => {
      let body = ''
      res.setEncoding('utf8')
      res.on('data', (chunk: string) => (body += chunk))
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, headers: res.headers }))
    })
  })
}

/** Two connected nodes whose gossipsub sees each other on the data topic. */
export async function meshOf(fixture: MeshFixture, count: number): Promise<MeshNode[]> {
  const nodes: MeshNode[] = []
  for (let i = 0; i < count; i++) nodes.push(await fixture.node())
  for (let i = 1; i < count; i++) await connect(nodes[i]!, nodes[0]!)
  for (const node of nodes) {
    await until(
      () => subscribersOf(node, node.topics.data).length >= (node === nodes[0] ? count - 1 : 1),
      { message: 'gossipsub subscriptions' },
    )
  }
  return nodes
}

/** A view of a real node with extra providers (members, anomalies, events…) plugged in. */
export function withProviders(node: MeshNode, extra: Partial<ApiNode>): ApiNode {
  return meshNodeView(node, extra)
}

/** A logger that records error logs, to see that a 500 was logged. */
export function recordingLogger(): { logger: Logger; errors: unknown[] } {
  const errors: unknown[] = []
  const logger = {
    child: () => logger,
    error: (obj: unknown) => errors.push(obj),
    warn: () => undefined,
    info: () => undefined,
    debug: () => undefined,
  } as unknown as Logger
  return { logger, errors }
}

export async function readReady(api: RunningApi): Promise<number> {
  return (await fetch(api.url('/ready'))).status
}
