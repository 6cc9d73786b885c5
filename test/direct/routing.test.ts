import { afterEach, describe, expect, it } from 'vitest'
import type { MeshMessage } from '../../src/node/index.js'
import type { MeshPeer } from '../../src/peer/mesh-peer.js'
import { MeshFixture, connect } from '../helpers/mesh.js'
import { until } from '../helpers/until.js'

const fixture = new MeshFixture()
afterEach(async () => await fixture.stopAll())

async function membersMesh(count: number): Promise<MeshPeer[]> {
  const nodes: MeshPeer[] = []
  for (let i = 0; i < count; i++) nodes.push(await fixture.node({}, { services: {} }))
  for (let i = 1; i < count; i++) await connect(nodes[i]!, nodes[0]!)
  await until(
    () =>
      nodes.every(
        (node) => node.members!.members().filter((m) => m.status === 'alive').length === count - 1,
      ),
    { timeout: 10_000, message: 'every member alive everywhere' },
  )
  return nodes
}

function received(node: MeshPeer): MeshMessage[] {
  const out: MeshMessage[] = []
  node.onMessage((message) => out.push(message))
  return out
}

describe('directed messages', () => {
  it('key:<k> goes to the same member from every sender; when it dies only its keys move', async () => {
    const nodes = await membersMesh(5)
    const keys = Array.from({ length: 1000 }, (_, i) => `key-${i}`)
    const owners = new Map<string, string>()
    for (const key of keys) {
      const owner = (nodes[0]!.direct!.route(`key:${key}`) as { peerId: string }).peerId
      owners.set(key, owner)
      for (const node of nodes.slice(1))
        expect((node.direct!.route(`key:${key}`) as { peerId: string }).peerId).toBe(owner)
    }
    // Every member owns a share.
    expect(new Set(owners.values()).size).toBe(5)
    // Real sends of a sample reach their owner, marked direct, once.
    const inbox = new Map(nodes.map((node) => [node.peerId, received(node)]))
    for (const key of keys.slice(0, 20)) {
      const result = await nodes[1]!.send(`key:${key}`, `to ${key}`)
      expect(result.to).toBe(owners.get(key))
    }
    for (const key of keys.slice(0, 20)) {
      const got = inbox
        .get(owners.get(key)!)!
        .filter((m) => Buffer.from(m.envelope.data).toString() === `to ${key}`)
      expect(got).toHaveLength(1)
      expect(got[0]!.direct).toBe(true)
    }
    // Kill one member: only its keys move.
    const victim = nodes[4]!
    await victim.stop({ leave: true })
    const survivors = nodes.slice(0, 4)
    await until(
      () => survivors.every((n) => n.members!.member(victim.peerId)?.status !== 'alive'),
      { timeout: 10_000, message: 'the victim gone everywhere' },
    )
    let moved = 0
    for (const key of keys) {
      const now = (survivors[0]!.direct!.route(`key:${key}`) as { peerId: string }).peerId
      if (owners.get(key) === victim.peerId) {
        expect(now).not.toBe(victim.peerId)
        moved++
      } else expect(now).toBe(owners.get(key))
    }
    expect(moved).toBeGreaterThan(0)
  }, 60_000)

  it('role:principal follows a failover; an unknown peer is NO_TARGET', async () => {
    const nodes = await membersMesh(3)
    await until(
      () =>
        nodes.every(
          (n) => n.roles!.principal !== null && n.roles!.principal === nodes[0]!.roles!.principal,
        ),
      { timeout: 15_000, message: 'one principal' },
    )
    const principal = nodes.find((n) => n.peerId === nodes[0]!.roles!.principal)!
    const others = nodes.filter((n) => n !== principal)
    // The library's acknowledged broadcast: both other members confirm it.
    const acked = await others[0]!.broadcast('to all', { ack: 1 })
    expect(acked).toMatchObject({ receipts: 2, members: 2, complete: true })
    const first = await others[0]!.send('role:principal', 'hello principal')
    expect(first.to).toBe(principal.peerId)
    await principal.stop({ leave: true })
    await until(
      () =>
        others.every((n) => n.roles!.principal !== null && n.roles!.principal !== principal.peerId),
      { timeout: 15_000, message: 'a new principal' },
    )
    const second = await others[0]!.send('role:principal', 'hello again')
    expect(second.to).toBe(others[0]!.roles!.principal)
    expect(second.to).not.toBe(principal.peerId)
    await expect(
      others[0]!.send('12D3KooWDpJ7As7BWAwRMfu1VU2WCqNjvq387JEYKDBj4kx6nXTN', 'x'),
    ).rejects.toMatchObject({ name: 'NoTargetError' })
    await expect(others[0]!.send('role:boss', 'x')).rejects.toMatchObject({
      name: 'InvalidTargetError',
    })
  }, 60_000)
})
