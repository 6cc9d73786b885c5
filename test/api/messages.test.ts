import { request } from 'node:http'
import { afterEach, describe, expect, it } from 'vitest'
import type { MeshMessage } from '../../src/node/index.js'
import { MeshPeer as MeshNode } from '../../src/peer/mesh-peer.js'
import { MeshFixture, testConfig } from '../helpers/mesh.js'
import { until } from '../helpers/until.js'
import { ApiFixture, TOKEN, meshOf, readReady, type RunningApi } from './helpers.js'

const fixture = new MeshFixture()
const apis = new ApiFixture()
afterEach(async () => {
  await apis.stopAll()
  await fixture.stopAll()
})

type ErrorBody = { error: { code: string; message: string } }

async function errorOf(res: Response): Promise<ErrorBody['error']> {
  expect(res.headers.get('content-type')).toMatch(/^application\/json/)
  return ((await res.json()) as ErrorBody).error
}

async function readyApi(overrides: Parameters<ApiFixture['start']>[1] = {}): Promise<RunningApi> {
  const node = await fixture.node()
  const api = await apis.start(node, overrides)
  await until(async () => (await readReady(api)) === 200, { message: 'ready' })
  return api
}

describe('POST /v1/messages', () => {
  it('broadcasts utf8 and base64 payloads: 202 with the receipt, delivered to the peer', async () => {
    const [a, b] = await meshOf(fixture, 2)
    const inbox: MeshMessage[] = []
    b!.onMessage((message) => inbox.push(message))
    const api = await apis.start(a!)
    await until(async () => (await readReady(api)) === 200, { message: 'ready' })

    const text = await api.postMessage({ data: 'héllo mesh' })
    expect(text.status).toBe(202)
    const receipt = (await text.json()) as { id: string; step: number; seq: number }
    expect(receipt.id).toMatch(/^[0-9a-f]{32}$/)
    const binary = await api.postMessage({
      data: Buffer.from([0, 1, 2, 255]).toString('base64'),
      encoding: 'base64',
    })
    expect(binary.status).toBe(202)
    await until(() => inbox.length === 2, { message: 'both messages at b' })
    expect(Buffer.from(inbox[0]!.envelope.data).toString()).toBe('héllo mesh')
    expect(inbox[0]).toMatchObject({ id: receipt.id })
    expect(inbox[0]!.envelope).toMatchObject({ seq: receipt.seq, globalStep: receipt.step })
    expect([...inbox[1]!.envelope.data]).toEqual([0, 1, 2, 255])
  })

  it('refuses writes without the right bearer token: 401 with WWW-Authenticate, nothing sent', async () => {
    const api = await readyApi()
    const before = await metricValue(api, 'patternmesh_messages_broadcast_total')
    const cases: Array<Record<string, string>> = [
      {},
      { Authorization: 'Bearer wrong-token-0123456789' },
      { Authorization: `Bearer ${TOKEN}x` },
      { Authorization: `Basic ${TOKEN}` },
      { Authorization: TOKEN },
    ]
    for (const headers of cases) {
      const res = await fetch(api.url('/v1/messages'), {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', ...headers },
        body: JSON.stringify({ data: 'x' }),
      })
      expect(res.status, JSON.stringify(headers)).toBe(401)
      expect(res.headers.get('www-authenticate')).toMatch(/^Bearer/)
      expect((await errorOf(res)).code).toBe('UNAUTHORIZED')
    }
    // ?token= is for WebSocket upgrades only.
    const query = await fetch(api.url(`/v1/messages?token=${TOKEN}`), {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: '{"data":"x"}',
    })
    expect(query.status).toBe(401)
    expect(await metricValue(api, 'patternmesh_messages_broadcast_total')).toBe(before)
  })

  it('answers bad JSON and invalid fields 400, naming the field', async () => {
    const api = await readyApi()
    const cases: Array<[string, RegExp]> = [
      ['{"data": "x"', /not valid JSON/],
      ['', /empty/],
      ['"just a string"', /^body: must be object/],
      ['[1]', /^body: must be object/],
      ['null', /^body: must be object/],
      ['{}', /^data: is required/],
      ['{"data": 5}', /^data: must be string/],
      ['{"data": "x", "extra": 1}', /^extra: is not a known field/],
      ['{"data": "x", "encoding": "hex"}', /^encoding: must be one of utf8, base64/],
      ['{"data": "not base64!", "encoding": "base64"}', /^data: is not valid base64/],
      ['{"data": "QUJD=", "encoding": "base64"}', /^data: is not valid base64/],
    ]
    for (const [body, message] of cases) {
      const res = await api.postMessage(body)
      expect(res.status, body).toBe(400)
      const error = await errorOf(res)
      expect(error.code).toBe('BAD_REQUEST')
      expect(error.message, body).toMatch(message)
    }
    const invalidUtf8 = await api.authed('/v1/messages', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: Buffer.from('{"data":"\xff"}', 'latin1'),
    })
    expect(invalidUtf8.status).toBe(400)
    expect((await errorOf(invalidUtf8)).message).toMatch(/UTF-8/)
  })

  it('answers a non-JSON content type 415', async () => {
    const api = await readyApi()
    for (const type of [
      'text/plain',
      'application/x-www-form-urlencoded',
      'application/json; charset=latin1',
    ]) {
      const res = await api.authed('/v1/messages', {
        method: 'POST',
        headers: { 'Content-Type': type },
        body: '{"data":"x"}',
      })
      expect(res.status, type).toBe(415)
      expect((await errorOf(res)).code).toBe('UNSUPPORTED_MEDIA_TYPE')
    }
    const ok = await api.postMessage('{"data":"x"}', {
      headers: { 'Content-Type': 'Application/JSON; charset=UTF-8' },
    })
    expect(ok.status).toBe(202)
  })

  it('answers a body over maxBodyBytes 413, from Content-Length or while streaming', async () => {
    const api = await readyApi({ maxBodyBytes: 1024 })
    const big = await api.postMessage({ data: 'x'.repeat(2000) })
    expect(big.status).toBe(413)
    expect((await errorOf(big)).code).toBe('PAYLOAD_TOO_LARGE')

    // Chunked, no Content-Length: the server answers once 1 KiB has passed, without
    // waiting for (or buffering) the remaining megabytes.
    const { port } = api.server.address!
    const streamed = await new Promise<{ status: number; body: string; written: number }>(
      (resolve, reject) => {
        let written = 0
        const req = request(
          {
            host: '127.0.0.1',
            port,
            method: 'POST',
            path: '/v1/messages',
            headers: { Authorization: `Bearer ${TOKEN}`, 'Content-Type': 'application/json' },
          },
          (res) => {
            let body = ''
            res.setEncoding('utf8')
            res.on('data', (chunk: string) => (body += chunk))
            res.on('end', () => {
              req.destroy()
              resolve({ status: res.statusCode ?? 0, body, written })
            })
          },
        )
        req.on('error', (err) => (written > 0 ? undefined : reject(err)))
        const chunk = `{"data":"${'y'.repeat(512)}`
        const pump = (): void => {
          // At most 8 MiB: far more than the limit; the answer must come long before.
          while (written < 8 * 1024 * 1024 && !req.destroyed) {
            written += chunk.length
            if (!req.write(chunk)) return void req.once('drain', pump)
          }
        }
        pump()
      },
    )
    expect(streamed.status).toBe(413)
    expect(JSON.parse(streamed.body)).toMatchObject({ error: { code: 'PAYLOAD_TOO_LARGE' } })
    expect(streamed.written).toBeLessThan(8 * 1024 * 1024)
    expect((await fetch(api.url('/health'))).status).toBe(200)
  })

  it('answers a payload larger than a frame 413 (the node refuses it)', async () => {
    const api = await readyApi({ maxBodyBytes: 256 * 1024 })
    const res = await api.postMessage({ data: 'z'.repeat(70_000) })
    expect(res.status).toBe(413)
    expect((await errorOf(res)).message).toMatch(/^data: /)
  })

  it('rate-limits writes with a token bucket: 429 with Retry-After, reads unaffected', async () => {
    const api = await readyApi({ rateLimit: { writesPerSecond: 0.5, burst: 3 } })
    const statuses: number[] = []
    for (let i = 0; i < 5; i++) statuses.push((await api.postMessage({ data: `m${i}` })).status)
    expect(statuses).toEqual([202, 202, 202, 429, 429])
    const limited = await api.postMessage({ data: 'again' })
    expect(limited.status).toBe(429)
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThanOrEqual(1)
    expect((await errorOf(limited)).code).toBe('RATE_LIMITED')
    expect((await fetch(api.url('/v1/status'))).status).toBe(200)
    // Unauthenticated writes are refused before they can spend the bucket.
    const unauth = await fetch(api.url('/v1/messages'), { method: 'POST', body: '{}' })
    expect(unauth.status).toBe(401)
  })

  it('answers 503 while the node is not started, and before its join sync is over', async () => {
    const idle = new MeshNode({ config: testConfig() })
    const idleApi = await apis.start(idle)
    const res = await idleApi.postMessage({ data: 'x' })
    expect(res.status).toBe(503)
    expect((await errorOf(res)).code).toBe('NOT_READY')

    const gone = await fixture.node()
    const address = gone.getMultiaddrs()[0]!
    await gone.stop()
    const syncing = await fixture.node({ bootstrap: [address], syncTimeout: 2500 })
    const api = await apis.start(syncing)
    const early = await api.postMessage({ data: 'early' })
    expect(early.status).toBe(503)
    await until(async () => (await readReady(api)) === 200, { timeout: 10_000, message: 'ready' })
    expect((await api.postMessage({ data: 'late' })).status).toBe(202)
  })
})

async function metricValue(api: RunningApi, name: string): Promise<number> {
  const text = await (await fetch(api.url('/metrics'))).text()
  const line = text.split('\n').find((l) => l.startsWith(`${name} `))
  return Number(line?.split(' ')[1])
}
