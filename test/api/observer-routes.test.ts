/**
 * The observer's API surface on a real node under a real forgery: `/v1/anomalies` with its
 * filters and errors, `anomaly` events on `/v1/events`, `/v1/metrics/network`, the per-peer
 * figures in `/v1/peers`, `patternmesh_anomalies_total` in `/metrics`, and the 409 of an
 * observer node asked to publish.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { meshNodeView } from '../../src/api/index.js'
import { ANOMALY_KINDS } from '../../src/observer/index.js'
import { ATTACKER_LIBP2P } from '../helpers/attackers.js'
import { MeshFixture, connect, subscribersOf } from '../helpers/mesh.js'
import { until } from '../helpers/until.js'
import { AUTH, ApiFixture, framesOf, opened } from './helpers.js'

const fixture = new MeshFixture()
const apis = new ApiFixture()
afterEach(async () => {
  await apis.stopAll()
  await fixture.stopAll()
})

describe('observer routes', () => {
  it('serves anomalies (filtered), anomaly events, network metrics and anomaly counters', async () => {
    const honest = await fixture.node({}, { services: {} })
    const api = await apis.start(meshNodeView(honest))
    const ws = apis.socket(`${api.wsBase}/v1/events?types=anomaly`, AUTH)
    const frames = framesOf(ws)
    await opened(ws)
    const forger = await fixture.node({ seed: 'another-mesh-key' }, { libp2p: ATTACKER_LIBP2P })
    await connect(forger, honest)
    await until(() => subscribersOf(forger, forger.topics.data).length >= 1, {
      message: 'forger subscribed',
    })
    await forger.broadcast('forged')
    await until(() => frames.some((f) => f.type === 'anomaly'), { message: 'anomaly event' })
    expect(frames.find((f) => f.type === 'anomaly')).toMatchObject({
      kind: 'PATTERN_MISMATCH',
      severity: 'critical',
      peerId: forger.peerId,
      id: expect.any(String),
      at: expect.any(Number),
      detail: expect.any(String),
    })

    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- JSON bodies of several shapes
    type Body = any
    const get = async (path: string): Promise<{ status: number; body: Body }> => {
      const res = await fetch(api.url(path))
      return { status: res.status, body: await res.json() }
    }
    const all = await get('/v1/anomalies')
    expect(all.status).toBe(200)
    expect(all.body.anomalies.length).toBeGreaterThan(0)
    expect(all.body.anomalies.every((a: { peerId: string }) => a.peerId === forger.peerId)).toBe(
      true,
    )
    expect((await get(`/v1/anomalies?peer=${forger.peerId}&limit=1`)).body.anomalies).toHaveLength(
      1,
    )
    expect((await get(`/v1/anomalies?peer=${honest.peerId}`)).body.anomalies).toEqual([])
    expect((await get('/v1/anomalies?kind=REPLAY')).body.anomalies).toEqual([])
    expect(
      (await get('/v1/anomalies?kind=PATTERN_MISMATCH')).body.anomalies.length,
    ).toBeGreaterThan(0)
    for (const bad of ['?kind=NOPE', '?limit=0', '?limit=x', '?peer=not%20a%20peer']) {
      const res = await get(`/v1/anomalies${bad}`)
      expect(res.status, bad).toBe(400)
      expect(res.body.error.code).toBe('BAD_REQUEST')
    }

    const network = await get('/v1/metrics/network')
    expect(network.status).toBe(200)
    expect(network.body).toMatchObject({
      totalNodes: expect.any(Number),
      messagesPerSecond: expect.any(Number),
      patternMismatches: expect.any(Number),
      networkHealth: expect.any(Number),
    })
    expect(network.body.patternMismatches).toBeGreaterThan(0)
    expect(network.body.networkHealth).toBeLessThan(1) // rejections in the last 10 s

    const metrics = await (await fetch(api.url('/metrics'))).text()
    const line = metrics
      .split('\n')
      .find((l) => l.startsWith('patternmesh_anomalies_total{kind="PATTERN_MISMATCH"}'))
    expect(Number(line?.split(' ')[1])).toBeGreaterThan(0)
    for (const kind of ANOMALY_KINDS)
      expect(metrics).toContain(`patternmesh_anomalies_total{kind="${kind}"}`)
    expect(metrics).toMatch(/^patternmesh_network_health [0-9.]+$/m)
  })

  it('adds per-peer figures to /v1/peers', async () => {
    const a = await fixture.node({}, { services: {} })
    const b = await fixture.node({}, { services: {} })
    await connect(b, a)
    const api = await apis.start(meshNodeView(a))
    await until(() => (a.members?.members().length ?? 0) === 1, { message: 'b heard' })
    await b.whenReady()
    await b.broadcast('hello')
    await until(
      async () => {
        const { peers } = (await (await fetch(api.url('/v1/peers'))).json()) as {
          peers: Array<Record<string, unknown>>
        }
        return (
          peers[0]?.['peerId'] === b.peerId && typeof peers[0]?.['messagesPerSecond'] === 'number'
        )
      },
      { message: 'peer figures' },
    )
  })

  it('refuses to publish from an observer node (409 OBSERVER_MODE)', async () => {
    const observer = await fixture.node({ observer: true }, { services: {} })
    const api = await apis.start(meshNodeView(observer))
    await until(async () => (await fetch(api.url('/ready'))).status === 200, { message: 'ready' })
    const res = await api.postMessage({ data: 'x' })
    expect(res.status).toBe(409)
    expect(((await res.json()) as { error: unknown }).error).toMatchObject({
      code: 'OBSERVER_MODE',
    })
    const status = (await (await fetch(api.url('/v1/status'))).json()) as unknown
    expect(status).toMatchObject({ observer: true, roles: ['observer'] })
  })
})
