/**
 * The API surface of DESIGN §13–§14 (issue 12): `targetPeers` in `/v1/status`, `connected`,
 * `addrs` and `droppedWhileGraylisted` in `/v1/peers`, the `leaving`/`left` statuses, and the
 * `witnesses`/`source` of anomalies, each checked against `/openapi.json` too.
 */
import { Ajv2020 } from 'ajv/dist/2020.js'
import { afterEach, describe, expect, it } from 'vitest'
import {
  buildOpenApiDocument,
  meshNodeView,
  type Anomaly,
  type PeerView,
} from '../../src/api/index.js'
import { MeshFixture, connect } from '../helpers/mesh.js'
import { until } from '../helpers/until.js'
import { ApiFixture, withProviders } from './helpers.js'

const fixture = new MeshFixture()
const apis = new ApiFixture()
afterEach(async () => {
  await apis.stopAll()
  await fixture.stopAll()
})

const ajv = new Ajv2020({ strict: false, allowUnionTypes: true })
ajv.addSchema({ ...(await buildOpenApiDocument('test')), $id: 'openapi.json' })
function expectSchema(name: string, body: unknown): void {
  const validate = ajv.getSchema(`openapi.json#/components/schemas/${name}`)!
  expect(validate(body), `${name}: ${ajv.errorsText(validate.errors)}`).toBe(true)
}

async function get(base: string, path: string): Promise<Record<string, unknown>> {
  const res = await fetch(`${base}${path}`)
  expect(res.status).toBe(200)
  return (await res.json()) as Record<string, unknown>
}

describe('mesh fields of the API', () => {
  it('gives targetPeers in /v1/status: the config value, else 6', async () => {
    const node = await fixture.node()
    const plain = await apis.start(node)
    const status = await get(plain.base, '/v1/status')
    expect(status.targetPeers).toBe(6)
    expectSchema('Status', status)
    const view = meshNodeView(node)
    const configured = await apis.start({ ...view, config: { ...node.config, targetPeers: 9 } })
    expect((await get(configured.base, '/v1/status')).targetPeers).toBe(9)
  })

  it('says which members are connected, and adds their addresses and graylisted drops', async () => {
    const services = { services: {} }
    const watched = await fixture.node({}, services)
    const peer = await fixture.node({}, services)
    await connect(peer, watched)
    await until(() => (watched.members?.members().length ?? 0) === 1, { message: 'member heard' })
    const bare = await apis.start(meshNodeView(watched))
    const { peers } = (await get(bare.base, '/v1/peers')) as { peers: PeerView[] }
    expect(peers).toEqual([expect.objectContaining({ peerId: peer.peerId, connected: true })])
    expect(peers[0]).not.toHaveProperty('addrs')
    expectSchema('Peers', { peers })

    const api = await apis.start(
      meshNodeView(watched, {
        peerAddrs: (id) => (id === peer.peerId ? ['/ip4/127.0.0.1/tcp/4001'] : []),
        droppedWhileGraylisted: (id) => (id === peer.peerId ? 42 : 0),
      }),
    )
    const after = (await get(api.base, '/v1/peers')) as { peers: PeerView[] }
    expect(after.peers[0]).toMatchObject({
      peerId: peer.peerId,
      connected: true,
      addrs: ['/ip4/127.0.0.1/tcp/4001'],
      droppedWhileGraylisted: 42,
    })
    expectSchema('Peers', after)

    await peer.stop()
    await until(
      async () =>
        ((await get(api.base, '/v1/peers')) as { peers: PeerView[] }).peers[0]?.connected === false,
      { message: 'the member shown as not connected' },
    )
  })

  it('counts leaving and left members in /v1/status apart from the others', async () => {
    const node = await fixture.node()
    const member = (i: number, status: PeerView['status']): PeerView => ({
      peerId: `p${i}`,
      status,
      weight: 1,
      roles: ['member'],
      step: 1,
      lastSeen: 1,
      observer: false,
    })
    const members = [member(0, 'alive'), member(1, 'leaving'), member(2, 'left'), member(3, 'left')]
    const api = await apis.start(withProviders(node, { memberViews: () => members }))
    const status = await get(api.base, '/v1/status')
    expect(status.members).toEqual({ alive: 2, suspect: 0, dead: 0, leaving: 1, left: 2 })
    expectSchema('Status', status)
    const peers = await get(api.base, '/v1/peers')
    expect((peers.peers as PeerView[]).map((p) => p.status)).toEqual([
      'alive',
      'leaving',
      'left',
      'left',
    ])
    expectSchema('Peers', peers)
  })

  it('passes the witnesses and source of anomalies through, and filters them as before', async () => {
    const node = await fixture.node()
    const reported: Anomaly & { witnesses: string[]; source: 'local' | 'reported' } = {
      id: 'a1',
      kind: 'PATTERN_MISMATCH',
      severity: 'critical',
      peerId: 'Forger1',
      step: 3,
      at: 2000,
      detail: 'forged',
      count: 4,
      witnesses: ['WitnessA', 'WitnessB'],
      source: 'reported',
    }
    const local = { ...reported, id: 'a2', at: 1000, witnesses: ['Self'], source: 'local' as const }
    const api = await apis.start(withProviders(node, { anomalies: () => [local, reported] }))
    const body = await get(api.base, '/v1/anomalies?peer=Forger1')
    expect(body.anomalies).toEqual([reported, local])
    expectSchema('Anomalies', body)
    const wrong = { anomalies: [{ ...reported, source: 'rumour' }] }
    expect(ajv.getSchema('openapi.json#/components/schemas/Anomalies')!(wrong)).toBe(false)
  })
})
