import { Ajv2020 } from 'ajv/dist/2020.js'
import { afterEach, describe, expect, it } from 'vitest'
import {
  ROUTES,
  buildOpenApiDocument,
  meshNodeView,
  type OpenApiDocument,
} from '../../src/api/index.js'
import { AdviceService } from '../../src/advice/index.js'
import { MeshPeer as MeshNode } from '../../src/peer/mesh-peer.js'
import { MeshFixture, connect, testConfig } from '../helpers/mesh.js'
import { until } from '../helpers/until.js'
import {
  AUTH,
  READ_TOKEN,
  ApiFixture,
  opened,
  readReady,
  refusedStatus,
  type RunningApi,
} from './helpers.js'

const fixture = new MeshFixture()
const apis = new ApiFixture()
afterEach(async () => {
  await apis.stopAll()
  await fixture.stopAll()
})

const doc = await buildOpenApiDocument('9.9.9-test')
type Method = 'get' | 'post'

/** Documented (path, method) pairs. */
function documented(document: OpenApiDocument): Array<{ path: string; method: Method }> {
  return Object.entries(document.paths).flatMap(([path, item]) =>
    (Object.keys(item) as Method[]).map((method) => ({ path, method })),
  )
}

/** What a producer got: a status, and a JSON body to check against the documented schema. */
interface Produced {
  status: number
  body?: unknown
}

interface Apis {
  ready: RunningApi
  idle: RunningApi
  strict: RunningApi
}

const post = (
  api: RunningApi,
  body: string,
  headers: Record<string, string> = {},
): Promise<Response> =>
  api.authed('/v1/messages', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...headers },
    body,
  })

async function answer(res: Response | Promise<Response>): Promise<Produced> {
  const r = await res
  const type = r.headers.get('content-type') ?? ''
  return {
    status: r.status,
    body: type.startsWith('application/json') ? await r.json() : await r.text(),
  }
}

async function refused(api: RunningApi, query: string, options: object): Promise<Produced> {
  const result = await refusedStatus(apis.socket(`${api.wsBase}/v1/events${query}`, options))
  return { status: result.status, body: JSON.parse(result.body) as unknown }
}

/**
 * For every documented response of every route, a way to make the server answer it. The test
 * fails when a documented status has no producer, or a producer gets another status.
 */
/** An API over the first node with an AdviceService attached (it stamps its own advice). */
let advisedApi: Promise<RunningApi> | undefined
async function advised(): Promise<RunningApi> {
  advisedApi ??= (async () => {
    const node = fixture.nodes[0]!
    const service = new AdviceService({ node }, { syncIntervalMs: 0 })
    await service.start()
    return await apis.start(meshNodeView(node, { advice: service }))
  })()
  return await advisedApi
}
/** An API over the first node's MeshPeer view: it has the keyring. */
let keyedApi: Promise<RunningApi> | undefined
async function keyed(): Promise<RunningApi> {
  keyedApi ??= apis.start(meshNodeView(fixture.nodes[0]!))
  return await keyedApi
}
afterEach(() => {
  advisedApi = undefined
  keyedApi = undefined
})

const postAdvice = (
  api: RunningApi,
  path: string,
  body: string,
  headers: Record<string, string> = {},
): Promise<Response> =>
  api.authed(path, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...headers },
    body,
  })
/** The read-only token on a write. */
const READ_ONLY = { Authorization: `Bearer ${READ_TOKEN}` }
const UPDATE = '{"type":"UPDATE","target":["*"],"payload":{"key":"k","value":1},"ttlMs":60000}'

const UNKNOWN_PEER = '12D3KooWDpJ7As7BWAwRMfu1VU2WCqNjvq387JEYKDBj4kx6nXTN'

const producers: Record<string, Record<string, (a: Apis) => Promise<Produced>>> = {
  'GET /v1/advice': {
    '200': async () => await answer(fetch((await advised()).url('/v1/advice'))),
    '404': async () => await answer(fetch((await advised()).url('/v1/advice?id=nope'))),
    '503': async ({ ready }) => await answer(fetch(ready.url('/v1/advice'))),
  },
  'POST /v1/advice': {
    '202': async () => await answer(postAdvice(await advised(), '/v1/advice', UPDATE)),
    '400': async () =>
      await answer(postAdvice(await advised(), '/v1/advice', UPDATE.replace('"key":"k",', ''))),
    '401': async ({ ready }) =>
      await answer(postAdvice(ready, '/v1/advice', UPDATE, { Authorization: 'Bearer no' })),
    '403': async ({ ready }) => await answer(postAdvice(ready, '/v1/advice', UPDATE, READ_ONLY)),
    '413': async () => {
      const small = await apis.start(fixture.nodes[0]!, { maxBodyBytes: 512 })
      const big = UPDATE.replace('1}', `"${'x'.repeat(600)}"}`)
      return await answer(postAdvice(small, '/v1/advice', big))
    },
    '415': async ({ ready }) =>
      await answer(postAdvice(ready, '/v1/advice', UPDATE, { 'Content-Type': 'text/plain' })),
    '429': async ({ strict }) => {
      await postAdvice(strict, '/v1/advice', UPDATE)
      return await answer(postAdvice(strict, '/v1/advice', UPDATE))
    },
    '503': async ({ ready }) => await answer(postAdvice(ready, '/v1/advice', UPDATE)),
  },
  'POST /v1/advice/rollback': {
    '202': async () => {
      const api = await advised()
      const { id } = (await (await postAdvice(api, '/v1/advice', UPDATE)).json()) as { id: string }
      return await answer(postAdvice(api, '/v1/advice/rollback', JSON.stringify({ id })))
    },
    '400': async ({ ready }) => await answer(postAdvice(ready, '/v1/advice/rollback', '{}')),
    '401': async ({ ready }) =>
      await answer(
        postAdvice(ready, '/v1/advice/rollback', '{"id":"x"}', { Authorization: 'Bearer no' }),
      ),
    '403': async ({ ready }) =>
      await answer(postAdvice(ready, '/v1/advice/rollback', '{"id":"x"}', READ_ONLY)),
    '404': async () =>
      await answer(postAdvice(await advised(), '/v1/advice/rollback', '{"id":"nope"}')),
    '503': async ({ ready }) =>
      await answer(postAdvice(ready, '/v1/advice/rollback', '{"id":"x"}')),
  },
  'GET /v1/keys': {
    '200': async () => await answer(fetch((await keyed()).url('/v1/keys'))),
    '503': async ({ ready }) => await answer(fetch(ready.url('/v1/keys'))),
  },
  'POST /v1/keys': {
    '200': async () => await answer(postAdvice(await keyed(), '/v1/keys', '{"op":"list"}')),
    '400': async () =>
      await answer(postAdvice(await keyed(), '/v1/keys', '{"op":"install","key":"zz"}')),
    '401': async ({ ready }) =>
      await answer(postAdvice(ready, '/v1/keys', '{"op":"list"}', { Authorization: 'Bearer no' })),
    '403': async ({ ready }) =>
      await answer(postAdvice(ready, '/v1/keys', '{"op":"list"}', READ_ONLY)),
    '404': async () =>
      await answer(postAdvice(await keyed(), '/v1/keys', '{"op":"use","key":"deadbeef"}')),
    '409': async () => {
      const api = await keyed()
      const { keys } = (await (await fetch(api.url('/v1/keys'))).json()) as {
        keys: Array<{ id: string }>
      }
      return await answer(
        postAdvice(api, '/v1/keys', JSON.stringify({ op: 'remove', key: keys[0]!.id })),
      )
    },
    '429': async ({ strict }) => {
      await postAdvice(strict, '/v1/keys', '{"op":"list"}')
      return await answer(postAdvice(strict, '/v1/keys', '{"op":"list"}'))
    },
    '503': async ({ ready }) => await answer(postAdvice(ready, '/v1/keys', '{"op":"list"}')),
  },
  'GET /': {
    '200': async ({ ready }) => await answer(fetch(ready.url('/'))),
  },
  'GET /v1/metrics/network': {
    '200': async () => {
      const viewed = await apis.start(meshNodeView(fixture.nodes[0]!))
      return await answer(fetch(viewed.url('/v1/metrics/network')))
    },
    '503': async ({ ready }) => await answer(fetch(ready.url('/v1/metrics/network'))),
  },
  'GET /health': { '200': async ({ ready }) => await answer(fetch(ready.url('/health'))) },
  'GET /favicon.ico': {
    '200': async ({ ready }) => ({ status: (await fetch(ready.url('/favicon.ico'))).status }),
  },
  'GET /ready': {
    '200': async ({ ready }) => await answer(fetch(ready.url('/ready'))),
    '503': async ({ idle }) => await answer(fetch(idle.url('/ready'))),
  },
  'GET /metrics': {
    '200': async ({ ready }) => ({ status: (await fetch(ready.url('/metrics'))).status }),
  },
  'GET /openapi.json': {
    '200': async ({ ready }) => await answer(fetch(ready.url('/openapi.json'))),
  },
  'GET /v1/status': { '200': async ({ ready }) => await answer(fetch(ready.url('/v1/status'))) },
  'GET /v1/peers': { '200': async ({ ready }) => await answer(fetch(ready.url('/v1/peers'))) },
  'GET /v1/anomalies': {
    '200': async ({ ready }) => await answer(fetch(ready.url('/v1/anomalies?limit=5'))),
    '400': async ({ ready }) => await answer(fetch(ready.url('/v1/anomalies?limit=0'))),
  },
  'GET /v1/messages': {
    '200': async ({ ready }) => await answer(ready.authed('/v1/messages?limit=5')),
    '400': async ({ ready }) => await answer(ready.authed('/v1/messages?limit=0')),
    '401': async ({ ready }) => await answer(fetch(ready.url('/v1/messages'))),
    '503': async ({ idle }) => await answer(idle.authed('/v1/messages')),
  },
  'POST /v1/messages': {
    '200': async ({ ready }) => await answer(post(ready, '{"data":"doc","to":"any"}')),
    '404': async ({ ready }) => await answer(post(ready, `{"data":"x","to":"${UNKNOWN_PEER}"}`)),
    '504': async () => {
      // A member that crashed stays alive in the table for a while: it never confirms.
      const [a, b] = [
        await fixture.node({}, { services: {} }),
        await fixture.node({}, { services: {} }),
      ]
      await connect(b!, a!)
      await until(() => a!.members!.member(b!.peerId)?.status === 'alive', { message: 'b alive' })
      await b!.stop({ leave: false })
      const api = await apis.start(meshNodeView(a!))
      await until(async () => (await readReady(api)) === 200, { message: 'a ready' })
      return await answer(post(api, '{"data":"x","ack":1,"timeoutMs":200}'))
    },
    '202': async ({ ready }) => await answer(post(ready, '{"data":"doc"}')),
    '400': async ({ ready }) => await answer(post(ready, '{"data":1}')),
    '401': async ({ ready }) =>
      await answer(post(ready, '{"data":"x"}', { Authorization: 'Bearer no' })),
    '403': async ({ ready }) => await answer(post(ready, '{"data":"x"}', READ_ONLY)),
    '409': async () => {
      const observer = await apis.start(meshNodeView(await fixture.node({ observer: true })))
      await until(async () => (await readReady(observer)) === 200, { message: 'observer ready' })
      return await answer(post(observer, '{"data":"x"}'))
    },
    '413': async ({ strict }) =>
      await answer(post(strict, JSON.stringify({ data: 'x'.repeat(600) }))),
    '415': async ({ ready }) =>
      await answer(post(ready, '{"data":"x"}', { 'Content-Type': 'text/plain' })),
    '429': async ({ strict }) => {
      await post(strict, '{"data":"spend the only token"}')
      return await answer(post(strict, '{"data":"x"}'))
    },
    '503': async ({ idle }) => await answer(post(idle, '{"data":"x"}')),
  },
  'GET /v1/events': {
    '101': async ({ ready }) => {
      const ws = apis.socket(`${ready.wsBase}/v1/events`, AUTH)
      const first = new Promise<unknown>((resolve) =>
        ws.once('message', (data) => resolve(JSON.parse(String(data)))),
      )
      await opened(ws)
      return { status: 101, body: await first }
    },
    '400': async ({ ready }) => await refused(ready, '?types=bogus', AUTH),
    '401': async ({ ready }) => await refused(ready, '', {}),
    '426': async ({ ready }) => await answer(fetch(ready.url('/v1/events'), AUTH)),
  },
}

describe('/openapi.json', () => {
  it('documents every route of the router with its methods, and nothing else', () => {
    const routes = ROUTES.map((route) => `${route.method} ${route.path}`).sort()
    const paths = documented(doc)
      .map(({ path, method }) => `${method.toUpperCase()} ${path}`)
      .sort()
    expect(paths).toEqual(routes)
    for (const route of ROUTES) {
      const operation = doc.paths[route.path]![route.method.toLowerCase() as Method]!
      // Routes that need the token say so, and only those.
      expect(operation.security !== undefined, `${route.method} ${route.path} security`).toBe(
        route.auth,
      )
      expect(Object.keys(operation.responses).some((s) => s.startsWith('2') || s === '101')).toBe(
        true,
      )
    }
    expect(Object.keys(producers).sort()).toEqual(routes)
  })

  it('is served as the OpenAPI 3.1 document with the server version', async () => {
    const node = await fixture.node()
    const api = await apis.start(node)
    const served = (await (await fetch(api.url('/openapi.json'))).json()) as OpenApiDocument
    expect(served).toEqual(doc)
    expect(served.openapi).toBe('3.1.0')
    expect(served.info.version).toBe('9.9.9-test')
  })

  it('has every documented response produced by the server, with a body of the documented schema', async () => {
    const ajv = new Ajv2020({ strict: false, allowUnionTypes: true })
    ajv.addSchema({ ...doc, $id: 'openapi.json' })
    const node = await fixture.node()
    const apiSet: Apis = {
      ready: await apis.start(node),
      idle: await apis.start(new MeshNode({ config: testConfig() })),
      strict: await apis.start(node, {
        maxBodyBytes: 512,
        rateLimit: { writesPerSecond: 0.01, burst: 1 },
      }),
    }
    await until(async () => (await readReady(apiSet.ready)) === 200, { message: 'ready' })

    for (const { path, method } of documented(doc)) {
      const key = `${method.toUpperCase()} ${path}`
      const responses = doc.paths[path]![method]!.responses
      const statuses = Object.keys(responses).filter((status) => status !== 'default')
      expect(Object.keys(producers[key] ?? {}).sort(), `producers of ${key}`).toEqual(
        statuses.sort(),
      )
      for (const status of statuses) {
        const produced = await producers[key]![status]!(apiSet)
        expect(produced.status, `${key} → ${status}`).toBe(Number(status))
        const content = (
          responses[status] as { content?: Record<string, { schema: { $ref?: string } }> }
        ).content
        const ref = content?.['application/json']?.schema.$ref
        if (ref === undefined || produced.body === undefined) continue
        const validate = ajv.getSchema(`openapi.json${ref}`)!
        expect(
          validate(produced.body),
          `${key} → ${status}: ${ajv.errorsText(validate.errors)}`,
        ).toBe(true)
      }
    }
  })
})
