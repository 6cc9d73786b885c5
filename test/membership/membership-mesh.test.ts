/** Membership over real in-process nodes (memory transport): heartbeats are the truth. */
import { afterEach, describe, expect, it } from 'vitest'
import type { FlapReport, MemberStatusChangedDetail } from '../../src/membership/index.js'
import { ROLE_TEST_CONFIG, RolesFixture, fullMesh, type RoleNode } from '../helpers/roles-mesh.js'
import { until } from '../helpers/until.js'

const INTERVAL = ROLE_TEST_CONFIG.heartbeatIntervalMs!
const fixture = new RolesFixture()
afterEach(async () => await fixture.stopAll())

async function meshOf(count: number, options: Parameters<RolesFixture['create']>[0] = {}) {
  const nodes: RoleNode[] = []
  for (let i = 0; i < count; i++)
    nodes.push(await fixture.create({ transport: 'memory', weight: 10 * (i + 1), ...options }))
  await fullMesh(nodes)
  return nodes
}

function statusLog(node: RoleNode, of: string): string[] {
  const log: string[] = []
  node.membership.addEventListener(
    'members.status-changed',
    (e: CustomEvent<MemberStatusChangedDetail>) => {
      if (e.detail.peerId === of) log.push(`${e.detail.previous}→${e.detail.status}`)
    },
  )
  return log
}

describe('membership on a real mesh', () => {
  it('fills every table from heartbeats: weight, roles, version, step, term and principal', async () => {
    const nodes = await meshOf(3, { membership: { version: '1.2.3', metadata: { zone: 'a' } } })
    await until(() => nodes.every((n) => n.membership.members().length === 2), {
      message: 'every node knows the two others',
    })
    await until(() => nodes.every((n) => n.roles.principal === nodes[2]!.peerId), {
      message: 'a principal',
    })
    await until(() => nodes[0]!.membership.member(nodes[2]!.peerId)?.roles[0] === 'principal')
    const seen = nodes[0]!.membership.member(nodes[2]!.peerId)!
    expect(seen).toMatchObject({
      status: 'alive',
      weight: 30,
      roles: ['principal'],
      version: '1.2.3',
      metadata: { zone: 'a' },
      principal: nodes[2]!.peerId,
      term: nodes[2]!.roles.term,
      observer: false,
      eligible: true,
      activity: 'active',
    })
    expect(Math.abs(seen.step - nodes[0]!.node.step)).toBeLessThanOrEqual(2)
    expect(nodes[0]!.membership.counts()).toEqual({ alive: 2, suspect: 0, dead: 0, left: 0 })
  })

  it('a stopped node goes suspect, then dead; a paused one is refuted by its next heartbeat', async () => {
    const [a, b, c] = (await meshOf(3)) as [RoleNode, RoleNode, RoleNode]
    await until(() => a.membership.members().length === 2)
    const ofB = statusLog(a, b.peerId)
    const ofC = statusLog(a, c.peerId)

    await fixture.stop(c)
    await until(() => a.membership.member(c.peerId)?.status === 'dead', {
      timeout: 20 * INTERVAL,
      message: 'stopped node dead',
    })
    expect(ofC).toEqual(['alive→suspect', 'suspect→dead'])

    b.membership.stop() // alive, connected, but silent
    await until(() => a.membership.member(b.peerId)?.status === 'suspect', {
      message: 'silent node suspect',
    })
    // Still connected the whole time: a connection is no proof of life.
    expect(a.node.connectedPeers()).toContain(b.peerId)
    b.membership.start()
    await until(() => a.membership.member(b.peerId)?.status === 'alive', {
      message: 'refuted',
    })
    expect(ofB).toEqual(['alive→suspect', 'suspect→alive'])
  })

  it('a member that keeps going silent and back is reported as flapping', async () => {
    const nodes = await meshOf(2, {
      membership: { flapping: { maxChanges: 3, windowHeartbeats: 100 } },
    })
    const [watcher, flaky] = nodes as [RoleNode, RoleNode]
    await until(() => watcher.membership.member(flaky.peerId)?.status === 'alive')
    const reports: FlapReport[] = []
    watcher.membership.addEventListener('members.flapping', (e) => reports.push(e.detail))
    for (let round = 0; round < 2; round++) {
      flaky.membership.stop()
      await until(() => watcher.membership.member(flaky.peerId)?.status === 'suspect')
      flaky.membership.start()
      await until(() => watcher.membership.member(flaky.peerId)?.status === 'alive')
    }
    expect(reports).toEqual([{ peerId: flaky.peerId, changes: 4, windowMs: 100 * INTERVAL }])
  })
})
