import { connect as netConnect } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import type { Anomaly, ApiNode, PeerView } from '../../src/api/index.js'
import { MeshPeer as MeshNode } from '../../src/peer/mesh-peer.js'
import { MeshFixture, testConfig } from '../helpers/mesh.js'
import { until } from '../helpers/until.js'
import { ApiFixture, meshOf, recordingLogger, withProviders } from './helpers.js'

const fixture = new MeshFixture()
const apis = new ApiFixture()
afterEach(async () => {
  await apis.stopAll()
  await fixture.stopAll()
})

async function json(res: Response): Promise<Record<string, unknown>> {
  expect(res.headers.get('content-type')).toMatch(/^application\/json/)
  return (await res.json()) as Record<string, unknown>
}

describe('control API: reads', () => {
  it('answers /health, and /ready once the node is started and synced', async () => {
    const node = await fixture.node()
    const api = await apis.start(node)
    const health = await fetch(api.url('/health'))
    expect(health.status).toBe(200)
    expect(await json(health)).toEqual({ status: 'ok' })
    await until(async () => (await fetch(api.url('/ready'))).status === 200, { message: 'ready' })
    expect(await json(await fetch(api.url('/ready')))).toEqual({ status: 'ready' })
    await node.stop()
    const stopped = await fetch(api.url('/ready'))
    expect(stopped.status).toBe(503)
    expect((await json(stopped)).error).toMatchObject({ code: 'NOT_READY' })
    expect((await fetch(api.url('/health'))).status).toBe(200)
  })

  it('serves the icon at /favicon.ico without a token (browsers ask for it on any page)', async () => {
    const api = await apis.start(await fixture.node())
    const icon = await fetch(api.url('/favicon.ico'))
    expect(icon.status).toBe(200)
    expect(icon.headers.get('content-type')).toMatch(/^image\/svg\+xml/)
    expect(await icon.text()).toMatch(/^<svg /)
  })

  it('is not ready while the join sync waits for bootstrap peers, then ready', async () => {
    const gone = await fixture.node()
    const address = gone.getMultiaddrs()[0]!
    await gone.stop()
    const node = await fixture.node({ bootstrap: [address], syncTimeout: 2500 })
    const api = await apis.start(node)
    expect((await fetch(api.url('/ready'))).status).toBe(503)
    expect((await json(await fetch(api.url('/v1/status')))).ready).toBe(false)
    await until(async () => (await fetch(api.url('/ready'))).status === 200, {
      timeout: 10_000,
      message: 'ready after the sync timeout',
    })
  })

  it('serves /v1/status with the DESIGN §8 shape', async () => {
    const [a, b] = await meshOf(fixture, 2)
    const api = await apis.start(a!, { extraStatus: () => ({ uptimeMs: 5, peerId: 'not-this' }) })
    const status = await json(await fetch(api.url('/v1/status')))
    expect(status).toMatchObject({
      peerId: a!.peerId,
      meshId: 'test',
      term: 0,
      principal: null,
      roles: ['member'],
      observer: false,
      weight: a!.config.weight,
      connectedPeers: 1,
      members: { alive: 2, suspect: 0, dead: 0 },
      version: '9.9.9-test',
      uptimeMs: 5,
    })
    expect(status.step).toBeGreaterThanOrEqual(a!.step - 1)
    expect(b).toBeDefined()
  })

  it('shows an observer as such, and counts members from a membership provider', async () => {
    const node = await fixture.node({ observer: true })
    const members: PeerView[] = ['alive', 'alive', 'suspect', 'dead'].map((status, i) => ({
      peerId: `peer-${i}`,
      status: status as PeerView['status'],
      weight: i,
      roles: ['member'],
      step: 10,
      lastSeen: 1,
      observer: false,
    }))
    const api = await apis.start(
      withProviders(node, {
        memberViews: () => members,
        roleState: () => ({ term: 3, principal: 'peer-0', roles: ['observer'] }),
      }),
    )
    const status = await json(await fetch(api.url('/v1/status')))
    expect(status).toMatchObject({
      observer: true,
      roles: ['observer'],
      term: 3,
      principal: 'peer-0',
      // The table's two alive peers and this running node.
      members: { alive: 3, suspect: 1, dead: 1 },
    })
    expect(await json(await fetch(api.url('/v1/peers')))).toEqual({ peers: members })
  })

  it('answers /v1/status of a node that is not started, with peerId null', async () => {
    const node = new MeshNode({ config: testConfig() })
    const api = await apis.start(node)
    const status = await json(await fetch(api.url('/v1/status')))
    expect(status).toMatchObject({ peerId: null, connectedPeers: 0, ready: false })
    expect(await json(await fetch(api.url('/v1/peers')))).toEqual({ peers: [] })
  })

  it('lists connected peers in /v1/peers with the last step heard from each', async () => {
    const [a, b] = await meshOf(fixture, 2)
    const api = await apis.start(a!)
    await b!.broadcast('hello')
    await until(
      async () => {
        const { peers } = (await json(await fetch(api.url('/v1/peers')))) as { peers: PeerView[] }
        return peers.length === 1 && peers[0]!.step !== null
      },
      { message: 'a step from b' },
    )
    const { peers } = (await json(await fetch(api.url('/v1/peers')))) as { peers: PeerView[] }
    expect(peers[0]).toMatchObject({
      peerId: b!.peerId,
      status: 'alive',
      weight: null,
      roles: [],
      observer: null,
    })
    expect(Math.abs(peers[0]!.step! - b!.step)).toBeLessThanOrEqual(2)
    expect(peers[0]!.lastSeen).toBeGreaterThan(Date.now() - 60_000)
  })

  it('answers /v1/anomalies (empty without an observer), filtered by kind and limit', async () => {
    const node = await fixture.node()
    const plain = await apis.start(node)
    expect(await json(await fetch(plain.url('/v1/anomalies')))).toEqual({ anomalies: [] })

    const kinds = ['REPLAY', 'STEP_SKEW', 'REPLAY', 'FLOOD'] as const
    const list: Anomaly[] = kinds.map((kind, i) => ({
      id: `a${i}`,
      kind,
      severity: 'warning',
      peerId: 'p',
      step: i,
      at: 1000 + i,
      detail: kind,
    }))
    const api = await apis.start(withProviders(node, { anomalies: () => list }))
    const ids = async (query: string): Promise<string[]> => {
      const body = (await json(await fetch(api.url(`/v1/anomalies${query}`)))) as {
        anomalies: Anomaly[]
      }
      return body.anomalies.map((a) => a.id)
    }
    expect(await ids('')).toEqual(['a3', 'a2', 'a1', 'a0'])
    expect(await ids('?kind=REPLAY')).toEqual(['a2', 'a0'])
    expect(await ids('?kind=REPLAY,FLOOD&limit=2')).toEqual(['a3', 'a2'])
    expect(await ids('?kind=STEP_SKEW&kind=FLOOD')).toEqual(['a3', 'a1'])
    for (const [query, field] of [
      ['?kind=NOPE', 'kind'],
      ['?kind=', 'kind'],
      ['?limit=0', 'limit'],
      ['?limit=1001', 'limit'],
      ['?limit=2.5', 'limit'],
      ['?limit=ten', 'limit'],
    ] as const) {
      const res = await fetch(api.url(`/v1/anomalies${query}`))
      expect(res.status, query).toBe(400)
      const { error } = (await json(res)) as { error: { code: string; message: string } }
      expect(error.code).toBe('BAD_REQUEST')
      expect(error.message.startsWith(`${field}:`), error.message).toBe(true)
    }
  })

  it('answers unknown routes 404 and wrong methods 405 with Allow, always as JSON', async () => {
    const node = await fixture.node()
    const api = await apis.start(node)
    for (const path of [
      '/index.html',
      '/v1',
      '/v1/status/',
      '/nope',
      '//v1/status',
      '/v1/messages/x',
    ]) {
      const res = await fetch(api.url(path))
      expect(res.status, path).toBe(404)
      expect((await json(res)).error).toMatchObject({ code: 'NOT_FOUND' })
    }
    const del = await fetch(api.url('/v1/status'), { method: 'DELETE' })
    expect(del.status).toBe(405)
    expect(del.headers.get('allow')).toBe('GET')
    expect((await json(del)).error).toMatchObject({ code: 'METHOD_NOT_ALLOWED' })
    // GET /v1/messages is the message log (DESIGN §15); a route with neither method: 405.
    const put = await fetch(api.url('/v1/messages'), { method: 'PUT' })
    expect(put.status).toBe(405)
    expect(put.headers.get('allow')).toMatch(/^(GET, POST|POST, GET)$/)
  })

  it('answers a handler failure 500 with a generic message, and logs it', async () => {
    const node = await fixture.node()
    const { logger, errors } = recordingLogger()
    const broken: ApiNode = withProviders(node, {
      anomalies: () => {
        throw new Error('secret internals')
      },
    })
    const api = await apis.start(broken, { logger })
    const res = await fetch(api.url('/v1/anomalies'))
    expect(res.status).toBe(500)
    const body = await json(res)
    expect(body).toEqual({
      error: { code: 'INTERNAL', message: 'internal error (logged on the node)' },
    })
    expect(errors).toHaveLength(1)
    expect((await fetch(api.url('/health'))).status).toBe(200)
  })

  it('answers malformed HTTP with a JSON 400 and keeps serving', async () => {
    const node = await fixture.node()
    const api = await apis.start(node)
    const { port } = api.server.address!
    const answer = await new Promise<string>((resolve, reject) => {
      const socket = netConnect(port, '127.0.0.1', () => socket.write('NOT HTTP AT ALL\r\n\r\n'))
      let text = ''
      socket.setEncoding('utf8')
      socket.on('data', (chunk: string) => (text += chunk))
      socket.on('end', () => resolve(text))
      socket.on('error', reject)
    })
    expect(answer).toMatch(/^HTTP\/1\.1 400 /)
    expect(answer).toContain('"code":"BAD_REQUEST"')
    expect((await fetch(api.url('/health'))).status).toBe(200)
  })

  it('answers a plain route requested with an Upgrade header (curl --http2) as plain HTTP', async () => {
    const node = await fixture.node()
    const api = await apis.start(node)
    const { port } = api.server.address!
    const answer = await new Promise<string>((resolve, reject) => {
      const socket = netConnect(port, '127.0.0.1', () =>
        socket.write(
          'GET /health HTTP/1.1\r\nHost: x\r\nConnection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\nHTTP2-Settings: AAMAAABkAAQAoAAAAAIAAAAA\r\n\r\n',
        ),
      )
      let text = ''
      socket.setEncoding('utf8')
      socket.on('data', (chunk: string) => (text += chunk))
      socket.on('end', () => resolve(text))
      socket.on('error', reject)
    })
    expect(answer).toMatch(/^HTTP\/1\.1 200 /)
    expect(answer.endsWith('{"status":"ok"}')).toBe(true)
  })

  it('fails to start on a port in use, cleanly, and can then be stopped', async () => {
    const node = await fixture.node()
    const first = await apis.start(node)
    const { port } = first.server.address!
    await expect(apis.start(node, { port })).rejects.toMatchObject({ code: 'EADDRINUSE' })
    expect((await fetch(first.url('/health'))).status).toBe(200)
  })

  it('stops twice harmlessly and frees its port', async () => {
    const node = await fixture.node()
    const api = await apis.start(node)
    await api.server.stop()
    await api.server.stop()
    await expect(fetch(api.url('/health'))).rejects.toThrow()
    expect(api.server.address).toBeUndefined()
  })
})
