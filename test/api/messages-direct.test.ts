import { afterEach, describe, expect, it } from 'vitest'
import { meshNodeView } from '../../src/api/index.js'
import type { MeshPeer } from '../../src/peer/mesh-peer.js'
import { MeshFixture, connect } from '../helpers/mesh.js'
import { until } from '../helpers/until.js'
import { ApiFixture, readReady, type RunningApi } from './helpers.js'

const fixture = new MeshFixture()
const apis = new ApiFixture()
afterEach(async () => {
  await apis.stopAll()
  await fixture.stopAll()
})

type ErrorBody = { error: { code: string; message: string } }

/** `count` members (membership and roles on) all alive everywhere, an API on the first. */
async function membersMesh(
  count: number,
  heartbeatIntervalMs = 200,
): Promise<{ nodes: MeshPeer[]; api: RunningApi }> {
  const nodes: MeshPeer[] = []
  for (let i = 0; i < count; i++)
    nodes.push(await fixture.node({ heartbeatIntervalMs }, { services: {} }))
  for (let i = 1; i < count; i++) await connect(nodes[i]!, nodes[0]!)
  await until(
    () =>
      nodes.every(
        (node) => node.members!.members().filter((m) => m.status === 'alive').length === count - 1,
      ),
    { timeout: 15_000, message: 'every member alive everywhere' },
  )
  const api = await apis.start(meshNodeView(nodes[0]!))
  await until(async () => (await readReady(api)) === 200, { message: 'ready' })
  return { nodes, api }
}

describe('POST /v1/messages with ack', () => {
  it('ack 1.0 with one member down answers 504 with receipts = members - 1; ack 0.5 answers 200', async () => {
    // Slow heartbeats: the crashed member stays "alive" in the table for seconds.
    const { nodes, api } = await membersMesh(4, 1000)
    const victim = nodes.slice(1).find((n) => n.peerId !== nodes[0]!.roles!.principal)!
    await victim.stop({ leave: false })
    const full = await api.postMessage({ data: 'everyone?', ack: 1, timeoutMs: 1500 })
    const fullBody = (await full.json()) as Record<string, unknown>
    expect(full.status).toBe(504)
    expect(fullBody).toMatchObject({ members: 3, receipts: 2, error: { code: 'ACK_TIMEOUT' } })
    expect(fullBody['id']).toMatch(/^[0-9a-f]{32}$/)
    const half = await api.postMessage({ data: 'half?', ack: 0.5, timeoutMs: 3000 })
    const halfBody = (await half.json()) as Record<string, number>
    expect(half.status).toBe(200)
    expect(halfBody['receipts']).toBeGreaterThanOrEqual(Math.ceil(halfBody['members']! / 2))
    expect(halfBody).toHaveProperty('seq')
  }, 60_000)

  it('refuses a bad ack, and to with ack together, naming the field', async () => {
    const { api } = await membersMesh(2)
    for (const body of [
      { data: 'x', ack: 0 },
      { data: 'x', ack: 1.5 },
      { data: 'x', ack: 0.5, to: 'any' },
      { data: 'x', to: 'role:boss' },
    ]) {
      const res = await api.postMessage(body)
      expect(res.status).toBe(400)
      expect(((await res.json()) as ErrorBody).error.message).toMatch(/ack|to/)
    }
  }, 30_000)
})

describe('POST /v1/messages with to', () => {
  it('delivers to a peer id (200 { id, to, attempts }), 404 NO_TARGET for an unknown one, 413 over the size limit', async () => {
    const { nodes, api } = await membersMesh(2)
    const inbox: string[] = []
    nodes[1]!.onMessage((m) => {
      if (m.direct === true) inbox.push(Buffer.from(m.envelope.data).toString())
    })
    const ok = await api.postMessage({ data: 'just you', to: nodes[1]!.peerId })
    expect(ok.status).toBe(200)
    const body = (await ok.json()) as { id: string; to: string; attempts: number }
    expect(body.to).toBe(nodes[1]!.peerId)
    expect(body.attempts).toBe(1)
    expect(body.id).toMatch(/^[0-9a-f]{32}$/)
    expect(inbox).toEqual(['just you'])

    const unknown = await api.postMessage({
      data: 'x',
      to: '12D3KooWDpJ7As7BWAwRMfu1VU2WCqNjvq387JEYKDBj4kx6nXTN',
    })
    expect(unknown.status).toBe(404)
    expect(((await unknown.json()) as ErrorBody).error.code).toBe('NO_TARGET')

    const big = await api.postMessage({ data: 'x'.repeat(70_000), to: nodes[1]!.peerId })
    expect(big.status).toBe(413)
    expect(((await big.json()) as ErrorBody).error.message).toMatch(/exceeds/)
    expect(inbox).toEqual(['just you'])
  }, 30_000)

  it('answers 504 when the receiver is gone and never acknowledges', async () => {
    const { nodes, api } = await membersMesh(3, 1000)
    const victim = nodes[2]!
    await victim.stop({ leave: false })
    const res = await api.postMessage({ data: 'anyone?', to: victim.peerId, timeoutMs: 800 })
    expect(res.status).toBe(504)
    expect(((await res.json()) as ErrorBody).error.code).toBe('DELIVERY_TIMEOUT')
  }, 30_000)
})

describe('GET /v1/messages', () => {
  it('logs broadcasts and directed messages; a reader resumes from its cursor and misses nothing', async () => {
    const { nodes, api } = await membersMesh(2)
    const sent: string[] = []
    let cursor: number | undefined
    const got: Array<{ data: string; direct: boolean; cursor: number }> = []
    const readOn = async (): Promise<void> => {
      const res = await api.authed(
        `/v1/messages?limit=7${cursor !== undefined ? `&after=${cursor}` : ''}`,
      )
      expect(res.status).toBe(200)
      const page = (await res.json()) as {
        messages: Array<{
          data: string
          direct: boolean
          cursor: number
          from: string
          encoding: string
        }>
        next: number
        truncated: boolean
      }
      expect(page.truncated).toBe(false)
      got.push(...page.messages)
      cursor = page.next
    }
    for (let i = 0; i < 30; i++) {
      const data = `m${i}`
      sent.push(data)
      if (i % 3 === 0) await nodes[1]!.send(nodes[0]!.peerId, data)
      else await nodes[1]!.broadcast(data)
      if (i % 4 === 0) await readOn()
    }
    await until(
      async () => {
        await readOn()
        return got.length >= 30
      },
      { message: 'all 30 in the log' },
    )
    expect(got.map((m) => m.data).sort()).toEqual([...sent].sort())
    expect(
      got
        .filter((m) => m.direct)
        .map((m) => m.data)
        .sort(),
    ).toEqual(sent.filter((_, i) => i % 3 === 0).sort())
    const cursors = got.map((m) => m.cursor)
    expect(cursors).toEqual([...cursors].sort((a, b) => a - b))
    expect(new Set(cursors).size).toBe(30)

    const unauthenticated = await fetch(api.url('/v1/messages'))
    expect(unauthenticated.status).toBe(401)
    const bad = await api.authed('/v1/messages?after=-1')
    expect(bad.status).toBe(400)
  }, 30_000)
})
