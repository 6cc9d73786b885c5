/**
 * The two tokens of the control API (DESIGN §16): the admin token (`apiToken`) opens
 * everything; the read token (`apiReadToken`) opens the GET routes and the event stream, and
 * a write with it answers 403 FORBIDDEN. A wrong token is 401 everywhere a token is needed.
 */
import { mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { randomBytes } from 'node:crypto'
import { afterEach, describe, expect, it } from 'vitest'
import { AdviceService } from '../../src/advice/index.js'
import { ROUTES, buildOpenApiDocument, meshNodeView } from '../../src/api/index.js'
import { accessOf } from '../../src/api/auth.js'
import { API_READ_TOKEN_FILE, API_TOKEN_FILE, resolveApiToken } from '../../src/api/token.js'
import { loadConfig } from '../../src/config/index.js'
import { MeshFixture, connect } from '../helpers/mesh.js'
import { until } from '../helpers/until.js'
import {
  ApiFixture,
  READ_TOKEN,
  TOKEN,
  framesOf,
  opened,
  readReady,
  refusedStatus,
  type RunningApi,
} from './helpers.js'

const fixture = new MeshFixture()
const apis = new ApiFixture()
const dirs: string[] = []
const services: AdviceService[] = []
afterEach(async () => {
  await apis.stopAll()
  await Promise.all(services.splice(0).map(async (s) => await s.stop()))
  await fixture.stopAll()
  await Promise.all(dirs.splice(0).map(async (d) => await rm(d, { recursive: true, force: true })))
})

const bearer = (token: string): Record<string, string> => ({ Authorization: `Bearer ${token}` })

/** A valid body for each write route, so only the token decides the answer. */
const WRITE_BODIES: Record<string, (api: RunningApi) => Promise<unknown>> = {
  '/v1/messages': async () => ({ data: 'hello' }),
  '/v1/advice': async () => ({
    type: 'UPDATE',
    target: ['*'],
    payload: { key: 'k', value: 1 },
    ttlMs: 60_000,
  }),
  '/v1/advice/rollback': async (api) => {
    const issued = await api.authed('/v1/advice', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(await WRITE_BODIES['/v1/advice']!(api)),
    })
    return { id: ((await issued.json()) as { id: string }).id }
  },
  // A new key installed (a fresh one each time: installing the same key twice is no change).
  '/v1/keys': async () => ({ op: 'install', key: randomBytes(32).toString('hex') }),
}

/** An API over a ready node with advice and network metrics, so every route can answer 2xx. */
async function fullApi(): Promise<RunningApi> {
  const node = await fixture.node()
  const advice = new AdviceService({ node }, { syncIntervalMs: 0 })
  services.push(advice)
  await advice.start()
  const api = await apis.start(meshNodeView(node, { advice }))
  await until(async () => (await readReady(api)) === 200, { message: 'ready' })
  return api
}

async function write(api: RunningApi, path: string, token: string): Promise<Response> {
  const body = JSON.stringify(await WRITE_BODIES[path]!(api))
  return await fetch(api.url(path), {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...bearer(token) },
    body,
  })
}

const writes = ROUTES.filter((route) => route.method !== 'GET')
const reads = ROUTES.filter((route) => route.method === 'GET' && !route.websocket)

describe('read token and admin token', () => {
  it('knows a body for every write route (a new write route must be added here)', () => {
    expect(writes.map((route) => route.path).sort()).toEqual(Object.keys(WRITE_BODIES).sort())
    expect(writes.every((route) => route.auth)).toBe(true)
  })

  it('read token: every GET answers 200, every write 403 FORBIDDEN, and nothing is written', async () => {
    const api = await fullApi()
    for (const route of reads) {
      const res = await fetch(api.url(route.path), { headers: bearer(READ_TOKEN) })
      expect(res.status, `GET ${route.path}`).toBe(200)
    }
    const before = (await (await fetch(api.url('/v1/advice'))).json()) as { advice: unknown[] }
    for (const route of writes) {
      const res = await write(api, route.path, READ_TOKEN)
      expect(res.status, `POST ${route.path}`).toBe(403)
      const body = (await res.json()) as { error: { code: string; message: string } }
      expect(body.error.code).toBe('FORBIDDEN')
      expect(body.error.message).toMatch(/read-only/)
    }
    // The refused advice writes (the rollback's own issue used the admin token) left one advice.
    const after = (await (await fetch(api.url('/v1/advice'))).json()) as { advice: unknown[] }
    expect(after.advice.length).toBe(before.advice.length + 1)
  })

  it('admin token: every GET 200, every write accepted', async () => {
    const api = await fullApi()
    for (const route of reads) {
      const res = await fetch(api.url(route.path), { headers: bearer(TOKEN) })
      expect(res.status, `GET ${route.path}`).toBe(200)
    }
    for (const route of writes) {
      const res = await write(api, route.path, TOKEN)
      expect(res.status, `POST ${route.path}`).toBeOneOf([200, 202])
    }
  })

  it('a wrong token: every write and the event stream 401; a read token is not an admin one', async () => {
    const api = await fullApi()
    for (const token of ['wrong-token-0123456789abcdef', `${READ_TOKEN}x`, READ_TOKEN.slice(1)]) {
      for (const route of writes)
        expect((await write(api, route.path, token)).status, `POST ${route.path}`).toBe(401)
      const refused = await refusedStatus(
        apis.socket(`${api.wsBase}/v1/events?token=${encodeURIComponent(token)}`),
      )
      expect(refused.status).toBe(401)
    }
    expect(accessOf({ admin: TOKEN, read: READ_TOKEN }, READ_TOKEN)).toBe('read')
    expect(accessOf({ admin: TOKEN, read: READ_TOKEN }, TOKEN)).toBe('admin')
    expect(accessOf({ admin: TOKEN }, READ_TOKEN)).toBeUndefined()
    expect(accessOf({ admin: TOKEN, read: READ_TOKEN }, undefined)).toBeUndefined()
  })

  it('a server without a read token refuses it (401)', async () => {
    const api = await apis.start(await fixture.node(), { readToken: undefined })
    const res = await fetch(api.url('/v1/messages'), {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', ...bearer(READ_TOKEN) },
      body: '{"data":"x"}',
    })
    expect(res.status).toBe(401)
  })

  it('the read token opens the event stream, by header and by ?token=, and events flow', async () => {
    const node = await fixture.node()
    const api = await apis.start(node)
    const byHeader = apis.socket(`${api.wsBase}/v1/events?types=message`, {
      headers: bearer(READ_TOKEN),
    })
    const byQuery = apis.socket(
      `${api.wsBase}/v1/events?types=message&token=${encodeURIComponent(READ_TOKEN)}`,
    )
    const frames = [framesOf(byHeader), framesOf(byQuery)]
    await opened(byHeader)
    await opened(byQuery)
    const peer = await fixture.node()
    await connect(peer, node)
    await until(
      async () => {
        await peer.broadcast('to the wall screen')
        return frames.every((f) => f.some((frame) => frame.type === 'message'))
      },
      { interval: 200, message: 'a message event on both read-token streams' },
    )
  })

  it('/openapi.json describes both bearer schemes: reads take either, writes the admin one', async () => {
    const doc = await buildOpenApiDocument('1.0.0')
    expect(Object.keys(doc.components.securitySchemes).sort()).toEqual([
      'bearerAuth',
      'readBearerAuth',
    ])
    expect(doc.paths['/v1/events']!.get!.security).toEqual([
      { readBearerAuth: [] },
      { bearerAuth: [] },
    ])
    for (const route of writes) {
      const operation = doc.paths[route.path]!.post!
      expect(operation.security, route.path).toEqual([{ bearerAuth: [] }])
      expect(operation.responses['403'], route.path).toBeDefined()
    }
  })
})

describe('apiReadToken', () => {
  async function tempDir(): Promise<string> {
    const dir = await mkdtemp(join(tmpdir(), 'pm-read-token-'))
    dirs.push(dir)
    return dir
  }

  it('is generated into <dataDir>/api-read-token (0600) beside api-token, then reused', async () => {
    const dataDir = await tempDir()
    const admin = await resolveApiToken({ dataDir })
    const read = await resolveApiToken({ dataDir, kind: 'read' })
    expect(read.source).toBe('generated')
    expect(read.path).toBe(join(dataDir, API_READ_TOKEN_FILE))
    expect(read.token).toMatch(/^[A-Za-z0-9_-]{43}$/)
    expect(read.token).not.toBe(admin.token)
    expect((await stat(read.path!)).mode & 0o777).toBe(0o600)
    expect((await readFile(read.path!, 'utf8')).trim()).toBe(read.token)
    expect((await readdir(dataDir)).sort()).toEqual([API_READ_TOKEN_FILE, API_TOKEN_FILE])
    expect(await resolveApiToken({ dataDir, kind: 'read' })).toEqual({
      token: read.token,
      source: 'file',
      path: read.path,
    })
  })

  it('a configured one is used as it is; a bad file is refused naming apiReadToken', async () => {
    const dataDir = await tempDir()
    expect(
      await resolveApiToken({ configured: 'configured-read-123456', dataDir, kind: 'read' }),
    ).toEqual({ token: 'configured-read-123456', source: 'configured' })
    expect(await readdir(dataDir)).toEqual([])
    await writeFile(join(dataDir, API_READ_TOKEN_FILE), 'short\n')
    await expect(resolveApiToken({ dataDir, kind: 'read' })).rejects.toMatchObject({
      name: 'ConfigError',
      key: 'apiReadToken',
    })
  })

  it('comes from PATTERNMESH_API_READ_TOKEN, and must differ from apiToken', async () => {
    const env = { PATTERNMESH_SEED: 's', PATTERNMESH_API_READ_TOKEN: 'from-the-environment-1' }
    expect((await loadConfig({ env })).apiReadToken).toBe('from-the-environment-1')
    await expect(
      loadConfig({ env: { ...env, PATTERNMESH_API_READ_TOKEN: 'short' } }),
    ).rejects.toThrow(/apiReadToken/)
    await expect(
      loadConfig({ env: { ...env, PATTERNMESH_API_TOKEN: 'from-the-environment-1' } }),
    ).rejects.toThrow(/apiReadToken must differ from apiToken/)
  })
})
