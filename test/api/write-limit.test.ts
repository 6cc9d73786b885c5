import { afterEach, describe, expect, it } from 'vitest'
import { validateAdviceRequest } from '../../src/advice/index.js'
import { DEFAULT_CONFIG, loadConfig } from '../../src/config/index.js'
import type { MeshMessage } from '../../src/node/index.js'
import { MeshFixture } from '../helpers/mesh.js'
import { until } from '../helpers/until.js'
import { ApiFixture, meshOf, readReady, type RunningApi } from './helpers.js'

const fixture = new MeshFixture()
const apis = new ApiFixture()
afterEach(async () => {
  await apis.stopAll()
  await fixture.stopAll()
})

type ErrorBody = { error: { code: string; message: string } }

async function readyApi(overrides: Parameters<ApiFixture['start']>[1] = {}): Promise<RunningApi> {
  const node = await fixture.node()
  const api = await apis.start(node, overrides)
  await until(async () => (await readReady(api)) === 200, { message: 'ready' })
  return api
}

describe('apiRateLimit config', () => {
  it('defaults to 200 writes/s with bursts of 400', () => {
    expect(DEFAULT_CONFIG.apiRateLimit).toEqual({ writesPerSecond: 200, burst: 400 })
  })

  it('is read from PATTERNMESH_API_RATE_LIMIT as JSON, and refused with a clear error when wrong', async () => {
    const env = (value: string): NodeJS.ProcessEnv => ({
      PATTERNMESH_SEED: 'test',
      PATTERNMESH_API_RATE_LIMIT: value,
    })
    const config = await loadConfig({ env: env('{"writesPerSecond":5,"burst":10}') })
    expect(config.apiRateLimit).toEqual({ writesPerSecond: 5, burst: 10 })
    for (const [value, message] of [
      ['5', /apiRateLimit/],
      ['{"writesPerSecond":5', /PATTERNMESH_API_RATE_LIMIT must be a JSON object/],
      ['{"writesPerSecond":5}', /apiRateLimit.*burst/],
      ['{"writesPerSecond":0,"burst":1}', /apiRateLimit.*writesPerSecond/],
      ['{"writesPerSecond":1,"burst":1,"x":1}', /apiRateLimit/],
    ] as const) {
      const error = await loadConfig({ env: env(value) }).catch((err: unknown) => err)
      expect(error, value).toMatchObject({ name: 'ConfigError' })
      expect((error as Error).message, value).toMatch(message)
    }
  })

  it('is a live key of CONFIG advice', () => {
    const request = {
      type: 'CONFIG',
      target: ['*'],
      payload: { apiRateLimit: { writesPerSecond: 50, burst: 100 } },
      ttlMs: 60_000,
    }
    expect(() => validateAdviceRequest(request)).not.toThrow()
    const bad = { ...request, payload: { apiRateLimit: { writesPerSecond: 50 } } }
    expect(() => validateAdviceRequest(bad)).toThrow(/burst/)
  })
})

describe('write limit of the API', () => {
  it('lets a script post 300 messages in a row with the default limit', async () => {
    const api = await readyApi()
    const statuses = new Set<number>()
    for (let i = 0; i < 300; i++) statuses.add((await api.postMessage({ data: `m${i}` })).status)
    expect([...statuses]).toEqual([202])
  })

  it("follows the node's live config: a change applies to the next write", async () => {
    const node = await fixture.node()
    node.applyConfig({ apiRateLimit: { writesPerSecond: 0.01, burst: 2 } })
    const api = await apis.start(node)
    await until(async () => (await readReady(api)) === 200, { message: 'ready' })
    const first: number[] = []
    for (let i = 0; i < 3; i++) first.push((await api.postMessage({ data: `a${i}` })).status)
    expect(first).toEqual([202, 202, 429])
    node.applyConfig({ apiRateLimit: { writesPerSecond: 0.01, burst: 4 } })
    const second: number[] = []
    for (let i = 0; i < 5; i++) second.push((await api.postMessage({ data: `b${i}` })).status)
    expect(second).toEqual([202, 202, 202, 202, 429])
  })
})

describe('POST /v1/messages, batch form', () => {
  it('broadcasts every message in order: 202 { ids }, delivered to the peer', async () => {
    const [a, b] = await meshOf(fixture, 2)
    const inbox: MeshMessage[] = []
    b!.onMessage((message) => inbox.push(message))
    const api = await apis.start(a!)
    await until(async () => (await readReady(api)) === 200, { message: 'ready' })
    const res = await api.postMessage({
      messages: [
        { data: 'one' },
        { data: Buffer.from([0, 255]).toString('base64'), encoding: 'base64' },
        { data: 'three', encoding: 'utf8' },
      ],
    })
    expect(res.status).toBe(202)
    const { ids } = (await res.json()) as { ids: string[] }
    expect(ids).toHaveLength(3)
    for (const id of ids) expect(id).toMatch(/^[0-9a-f]{32}$/)
    await until(() => inbox.length === 3, { message: 'the batch at b' })
    expect(inbox.map((m) => m.id)).toEqual(ids)
    expect([...inbox[1]!.envelope.data]).toEqual([0, 255])
  })

  it('takes one rate-limit token per request, however many messages', async () => {
    const api = await readyApi({ rateLimit: { writesPerSecond: 0.01, burst: 1 } })
    const batch = { messages: Array.from({ length: 50 }, (_, i) => ({ data: `m${i}` })) }
    const first = await api.postMessage(batch)
    expect(first.status).toBe(202)
    expect(((await first.json()) as { ids: string[] }).ids).toHaveLength(50)
    expect((await api.postMessage(batch)).status).toBe(429)
  })

  it('refuses a bad batch with 400 naming the field, and sends nothing of it', async () => {
    const api = await readyApi()
    const broadcasts = async (): Promise<number> => {
      const text = await (await fetch(api.url('/metrics'))).text()
      const line = text
        .split('\n')
        .find((l) => l.startsWith('patternmesh_messages_broadcast_total '))
      return Number(line?.split(' ')[1])
    }
    const before = await broadcasts()
    const many = Array.from({ length: 1001 }, () => ({ data: 'x' }))
    const cases: Array<[unknown, RegExp]> = [
      [{ messages: [] }, /^messages: must NOT have fewer than 1 items/],
      [{ messages: many }, /^messages: must NOT have more than 1000 items/],
      [{ messages: 'x' }, /^messages: must be array/],
      [{ messages: [{ data: 'x' }, {}] }, /^messages\.1\.data: is required/],
      [{ messages: [{ data: 'x', extra: 1 }] }, /^messages\.0\.extra: is not a known field/],
      [{ messages: [{ data: 'x' }], data: 'y' }, /^data: is not a known field/],
      [
        { messages: [{ data: 'x' }, { data: 'x' }, { data: '!!', encoding: 'base64' }] },
        /^messages\.2\.data: is not valid base64/,
      ],
    ]
    for (const [body, message] of cases) {
      const res = await api.postMessage(body)
      expect(res.status, JSON.stringify(body).slice(0, 80)).toBe(400)
      const { error } = (await res.json()) as ErrorBody
      expect(error.code).toBe('BAD_REQUEST')
      expect(error.message).toMatch(message)
    }
    expect(await broadcasts()).toBe(before)
  })

  it('refuses a batch body over 1 MiB with 413', async () => {
    const api = await readyApi()
    const messages = Array.from({ length: 20 }, () => ({ data: 'z'.repeat(60_000) }))
    const res = await api.postMessage({ messages })
    expect(res.status).toBe(413)
    const { error } = (await res.json()) as ErrorBody
    expect(error.code).toBe('PAYLOAD_TOO_LARGE')
    expect(error.message).toBe('the body is larger than 1048576 bytes') // the limit, named
  })
})
