import { afterEach, describe, expect, it } from 'vitest'
import type { ApiEvent } from '../../src/api/index.js'
import { MeshFixture, connect, subscribersOf } from '../helpers/mesh.js'
import { until } from '../helpers/until.js'
import {
  AUTH,
  ApiFixture,
  TOKEN,
  framesOf,
  meshOf,
  opened,
  refusedStatus,
  withProviders,
} from './helpers.js'

const fixture = new MeshFixture()
const apis = new ApiFixture()
afterEach(async () => {
  await apis.stopAll()
  await fixture.stopAll()
})

describe('/v1/events', () => {
  it("streams a message broadcast by node A on node B's stream", async () => {
    const [a, b] = await meshOf(fixture, 2)
    const api = await apis.start(b!)
    const ws = apis.socket(`${api.wsBase}/v1/events`, AUTH)
    const frames = framesOf(ws)
    await opened(ws)
    await until(() => frames.some((f) => f.type === 'hello'), { message: 'hello frame' })
    expect(frames[0]).toMatchObject({ type: 'hello', peerId: b!.peerId, types: null })

    const receipt = await a!.broadcast('from A to B')
    const binary = await a!.broadcast(Buffer.from([0xff, 0x00, 0x10]))
    await until(() => frames.filter((f) => f.type === 'message').length === 2, {
      message: 'two message frames',
    })
    const [text, bin] = frames.filter((f) => f.type === 'message')
    expect(text).toMatchObject({
      type: 'message',
      peerId: a!.peerId,
      id: receipt.id,
      step: receipt.step,
      seq: receipt.seq,
      bytes: 11,
      data: 'from A to B',
      encoding: 'utf8',
      truncated: false,
    })
    expect(typeof text!.at).toBe('number')
    expect(bin).toMatchObject({ id: binary.id, data: '/wAQ', encoding: 'base64', bytes: 3 })
  })

  it('accepts the token as ?token= (browsers), and filters with ?types=', async () => {
    const [a, b] = await meshOf(fixture, 2)
    const api = await apis.start(b!)
    const ws = apis.socket(`${api.wsBase}/v1/events?types=step&token=${encodeURIComponent(TOKEN)}`)
    const frames = framesOf(ws)
    await opened(ws)
    await a!.broadcast('not wanted')
    await until(() => frames.some((f) => f.type === 'step'), { message: 'a step frame' })
    expect(frames[0]).toMatchObject({ type: 'hello', types: ['step'] })
    expect(new Set(frames.map((f) => f.type))).toEqual(new Set(['hello', 'step']))
    const step = frames.find((f) => f.type === 'step')!
    expect(step).toMatchObject({ reason: expect.stringMatching(/^(tick|sync)$/) })
    expect(step.step).toBeGreaterThan(step.previous as number)
  })

  it('refuses an upgrade without the right token: 401 with WWW-Authenticate, JSON body', async () => {
    const node = await fixture.node()
    const api = await apis.start(node)
    for (const options of [{}, { headers: { Authorization: 'Bearer nope-nope-nope-nope' } }]) {
      const refused = await refusedStatus(apis.socket(`${api.wsBase}/v1/events`, options))
      expect(refused.status).toBe(401)
      expect(refused.headers['www-authenticate']).toMatch(/^Bearer/)
      expect(JSON.parse(refused.body)).toMatchObject({ error: { code: 'UNAUTHORIZED' } })
    }
    const badQuery = await refusedStatus(apis.socket(`${api.wsBase}/v1/events?token=wrong`))
    expect(badQuery.status).toBe(401)
  })

  it('refuses unknown event types 400, other paths 404, and a plain GET 426', async () => {
    const node = await fixture.node()
    const api = await apis.start(node)
    const bad = await refusedStatus(apis.socket(`${api.wsBase}/v1/events?types=message,nope`, AUTH))
    expect(bad.status).toBe(400)
    expect(JSON.parse(bad.body).error.message).toMatch(/^types: /)
    const elsewhere = await refusedStatus(apis.socket(`${api.wsBase}/v1/status`, AUTH))
    expect(elsewhere.status).toBe(404)
    const plain = await fetch(api.url('/v1/events'), AUTH)
    expect(plain.status).toBe(426)
    expect(plain.headers.get('upgrade')).toBe('websocket')
    expect((await fetch(api.url('/v1/events'))).status).toBe(401)
  })

  it('streams member changes and rejected frames of a forger', async () => {
    const honest = await fixture.node()
    const api = await apis.start(honest)
    const ws = apis.socket(`${api.wsBase}/v1/events?types=member,rejected`, AUTH)
    const frames = framesOf(ws)
    await opened(ws)
    const forger = await fixture.node({ seed: 'another-mesh-key' })
    await connect(forger, honest)
    await until(() => frames.some((f) => f.type === 'member' && f.change === 'connected'), {
      message: 'member connected frame',
    })
    expect(frames.find((f) => f.type === 'member')).toMatchObject({ peerId: forger.peerId })
    await until(() => subscribersOf(forger, forger.topics.data).length >= 1, {
      message: 'forger subscribed',
    })
    await forger.broadcast('forged')
    await until(() => frames.some((f) => f.type === 'rejected'), { message: 'rejected frame' })
    expect(frames.find((f) => f.type === 'rejected')).toMatchObject({
      code: 'PATTERN_MISMATCH',
      verdict: 'reject',
      peerId: forger.peerId,
      senderId: forger.peerId,
    })
    await forger.stop()
    await until(() => frames.some((f) => f.type === 'member' && f.change === 'disconnected'), {
      message: 'member disconnected frame',
    })
  })

  it('drops events for a client that does not read, counts them, and says so when it reads again', async () => {
    const node = await fixture.node()
    let emit: (event: ApiEvent) => void = () => undefined
    const api = await apis.start(
      withProviders(node, {
        subscribeEvents: (listener) => {
          emit = listener
          return () => {
            emit = () => undefined
          }
        },
      }),
      { eventBufferBytes: 64 * 1024 },
    )
    const ws = apis.socket(`${api.wsBase}/v1/events?types=anomaly`, AUTH)
    const frames = framesOf(ws)
    await opened(ws)
    await until(() => frames.length === 1, { message: 'hello' })
    ws.pause()
    // 16 MiB of events: far more than the kernel's socket buffers and the 64 KiB limit.
    const total = 16_000
    const pad = 'p'.repeat(1000)
    for (let i = 0; i < total; i++) emit({ type: 'anomaly', i, pad })
    ws.resume()
    const seen = (): { events: number; dropped: number } => ({
      events: frames.filter((f) => f.type === 'anomaly').length,
      dropped: frames
        .filter((f) => f.type === 'dropped')
        .reduce((sum, f) => sum + (f.count as number), 0),
    })
    await until(() => seen().events + seen().dropped === total, {
      timeout: 20_000,
      message: `every event delivered or counted as dropped`,
    })
    expect(seen().dropped).toBeGreaterThan(0)
    const metrics = await (await fetch(api.url('/metrics'))).text()
    expect(metrics).toContain(`patternmesh_api_events_dropped_total ${seen().dropped}`)
    // Delivered events keep their order.
    const order = frames.filter((f) => f.type === 'anomaly').map((f) => f.i as number)
    expect(order).toEqual([...order].sort((x, y) => x - y))
  })

  it('closes a client that stops answering pings', async () => {
    const node = await fixture.node()
    const api = await apis.start(node, { eventPingIntervalMs: 50 })
    const alive = apis.socket(`${api.wsBase}/v1/events`, AUTH)
    const silent = apis.socket(`${api.wsBase}/v1/events`, { ...AUTH, autoPong: false })
    await Promise.all([opened(alive), opened(silent)])
    const closed = new Promise<number>((resolve) => silent.once('close', (code) => resolve(code)))
    // Terminated without a close frame: 1006 on the client side.
    expect(await closed).toBe(1006)
    expect(alive.readyState).toBe(alive.OPEN)
  })

  it('closes every client when the server stops (1001), and stop twice is harmless', async () => {
    const node = await fixture.node()
    const api = await apis.start(node)
    const ws = apis.socket(`${api.wsBase}/v1/events`, AUTH)
    await opened(ws)
    const closed = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)))
    await api.server.stop()
    expect(await closed).toBe(1001)
    await api.server.stop()
  })
})
