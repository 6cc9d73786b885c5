/**
 * Fast joining on a real mesh (issue 12.3): a node asks each peer it connects to for the
 * member table (/patternmesh/members/1.0.0), so it knows members it is not connected to and
 * elects at once, long before a heartbeat round (10 s here).
 */
import { afterEach, describe, expect, it } from 'vitest'
import { MEMBERS_PROTOCOL } from '../../src/membership/index.js'
import type { MeshPeer } from '../../src/peer/mesh-peer.js'
import { MeshFixture, connect } from '../helpers/mesh.js'
import { until } from '../helpers/until.js'

const INTERVAL = 10_000
const fixture = new MeshFixture()
afterEach(async () => await fixture.stopAll())

async function peer(weight: number, seed = 'test-mesh'): Promise<MeshPeer> {
  return await fixture.node(
    // As scale-100: slow member heartbeats, a fast principal (its claim spreads in its heartbeats
    // when the claim message itself went out before gossip knew the new peer).
    {
      weight,
      seed,
      heartbeatIntervalMs: INTERVAL,
      principalHeartbeatIntervalMs: 300,
      suspectAfter: 2,
      deadAfter: 4,
    },
    { services: {} },
  )
}

function knows(a: MeshPeer, b: MeshPeer): boolean {
  return a.members!.member(b.peerId)?.status === 'alive'
}

describe('the members exchange', () => {
  it('a joining node learns members through its peer, hears the mesh and follows its principal', async () => {
    const [a, b, c] = [await peer(10), await peer(30), await peer(20)]
    const startedAt = Date.now()
    await connect(b, c)
    await until(() => knows(b, c) && knows(c, b), { message: 'b and c know each other' })
    await until(() => b.roles?.principal === b.peerId && c.roles?.principal === b.peerId, {
      timeout: 5000,
      message: 'b and c elect b from the tables',
    })
    // a connects to c only: c's table tells it about b, and what the mesh follows.
    await connect(a, c)
    await until(() => knows(a, b) && knows(a, c), { message: 'a knows b through c' })
    await until(() => a.roles?.principal === b.peerId, { message: 'a follows b' })
    // All of it well within the first heartbeat interval: no heartbeat round was waited for.
    expect(Date.now() - startedAt).toBeLessThan(INTERVAL)
    expect(a.roles!.heardMesh).toBe(true)
    expect(a.members!.stats().tablesImported).toBeGreaterThanOrEqual(1)
    // b's entry came from c's table, dated by the age c reported, not as heard just now.
    expect(a.members!.member(b.peerId)!.lastSeen).toBeLessThanOrEqual(Date.now())
  })

  it('an answer sealed with another network key is not believed', async () => {
    const a = await peer(10)
    const stranger = await peer(50, 'another-mesh')
    // Only the protocol is shared: the stranger answers, a must not take its table.
    await a.libp2p.dial(stranger.libp2p.getMultiaddrs()[0]!)
    await until(() => a.libp2p.getConnections().length > 0)
    await until(() => a.members!.stats().tableFailures > 0, {
      message: 'the stranger’s answer was refused',
    })
    expect(a.members!.member(stranger.peerId)).toBeUndefined()
    expect(a.members!.stats().tablesImported).toBe(0)
    expect(MEMBERS_PROTOCOL).toBe('/patternmesh/members/1.0.0')
  })
})
