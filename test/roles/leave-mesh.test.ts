/**
 * A planned stop of the principal on a real mesh (issue 12.4): MeshPeer.stop() sends the
 * leaving heartbeat, which hands the term over; every member names the successor within one
 * heartbeat interval, where a crash waits for the failure detector (deadAfter intervals).
 */
import { afterEach, describe, expect, it } from 'vitest'
import type { MeshPeer } from '../../src/peer/mesh-peer.js'
import { MeshFixture, connect } from '../helpers/mesh.js'
import { until } from '../helpers/until.js'

/** Long enough that the failure detector (4.5 intervals) could not be what moves the role. */
const INTERVAL = 1000
const fixture = new MeshFixture()
afterEach(async () => await fixture.stopAll())

async function meshOf(weights: number[]): Promise<MeshPeer[]> {
  const peers = await Promise.all(
    weights.map(
      async (weight) =>
        await fixture.node(
          { weight, heartbeatIntervalMs: INTERVAL, suspectAfter: 2, deadAfter: 4 },
          { services: {} },
        ),
    ),
  )
  for (let i = 0; i < peers.length; i++)
    for (let j = i + 1; j < peers.length; j++) await connect(peers[i]!, peers[j]!)
  return peers
}

function principals(peers: readonly MeshPeer[]): Array<string | null | undefined> {
  return peers.map((p) => p.roles?.principal)
}

describe('leaving on a real mesh', () => {
  it('stopping the principal names the next heaviest everywhere within one heartbeat interval', async () => {
    const peers = await meshOf([40, 30, 20, 10])
    const [principal, successor, ...others] = peers as [MeshPeer, MeshPeer, MeshPeer, MeshPeer]
    await until(() => principals(peers).every((p) => p === principal.peerId), {
      timeout: 15 * INTERVAL,
      message: 'the heaviest is principal everywhere',
    })
    const survivors = [successor, ...others]
    const leftSeenAt: number[] = []
    for (const peer of survivors) {
      peer.members!.addEventListener('members.status-changed', (e) => {
        if (e.detail.peerId === principal.peerId && e.detail.status === 'left')
          leftSeenAt.push(Date.now())
      })
    }
    const stoppedAt = Date.now()
    await principal.stop()
    await until(() => principals(survivors).every((p) => p === successor.peerId), {
      timeout: INTERVAL,
      message: 'every survivor names the successor within one interval of the stop',
    })
    const movedAt = Date.now()
    console.info(
      `planned stop: the role moved ${movedAt - stoppedAt} ms after stop() (interval ${INTERVAL} ms)`,
    )
    expect(leftSeenAt).toHaveLength(survivors.length)
    expect(movedAt - Math.min(...leftSeenAt)).toBeLessThanOrEqual(INTERVAL)
    for (const peer of survivors) {
      expect(peer.members!.member(principal.peerId)?.status).toBe('left')
      expect(peer.roles!.term).toBe(successor.roles!.term)
    }
    expect(successor.roles!.isPrincipal).toBe(true)
    // The successor was handed the term: it did not have to claim one.
    expect(successor.roles!.stats().claimsSent).toBe(0)
  })
})
