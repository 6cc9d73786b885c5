/**
 * A graylisted forger that keeps sending keeps being reported (DESIGN §14): its member
 * neighbour drops its frames unread, yet goes on reporting them with the evidence that got it
 * graylisted, so a member that never hears the forger sees the anomaly grow for as long as the
 * attack lasts. Topology: forger — m1 — m2.
 */
import { afterEach, describe, expect, it } from 'vitest'
import type { Anomaly } from '../../src/observer/index.js'
import { ATTACKER_LIBP2P } from '../helpers/attackers.js'
import { MeshFixture, connect, subscribersOf } from '../helpers/mesh.js'
import { until } from '../helpers/until.js'

const fixture = new MeshFixture()
afterEach(async () => await fixture.stopAll())

describe('reports of a graylisted forger', () => {
  it('go on while it keeps sending: a member that never hears it sees the count grow', async () => {
    const m1 = await fixture.node()
    const m2 = await fixture.node()
    const forger = await fixture.node({ seed: 'another-mesh-key' }, { libp2p: ATTACKER_LIBP2P })
    await connect(m1, m2)
    await connect(forger, m1)
    await until(() => subscribersOf(m1, m1.topics.control).length === 2, {
      message: 'forger — m1 — m2 subscribed',
      timeout: 10_000,
    })
    await Promise.all([m1, m2, forger].map(async (node) => await node.whenReady()))
    const reported = (): Anomaly[] =>
      m2.observer!.anomalies({ peerId: forger.peerId }).filter((a) => a.source === 'reported')
    const count = (): number => reported().reduce((sum, a) => sum + (a.count ?? 1), 0)

    let sending = true
    const sender = (async () => {
      while (sending) {
        await forger.broadcast('forged').catch(() => undefined)
        await new Promise((resolve) => setTimeout(resolve, 20))
      }
    })()
    try {
      await until(() => m1.libp2p.services.pubsub.getScore(forger.peerId) < -80, {
        message: 'the forger graylisted at m1',
        timeout: 10_000,
      })
      // From here on, m2's count grows by more than m1's validator ever read: the frames m1
      // dropped unread are reported too.
      const validated = (): number => m1.stats().verdicts.PATTERN_MISMATCH ?? 0
      await until(() => count() >= validated(), {
        message: 'm2 has heard of every frame m1 read before the graylisting',
        timeout: 8_000,
      })
      const seen = { count: count(), validated: validated() }
      await until(() => count() - seen.count > validated() - seen.validated + 10, {
        message: "m2's count grows beyond what m1 validated while the forger is graylisted",
        timeout: 8_000,
      })
    } finally {
      sending = false
      await sender
    }
    expect(m2.connectedPeers()).not.toContain(forger.peerId)
    expect(reported().every((a) => a.kind === 'PATTERN_MISMATCH')).toBe(true)
    expect(reported().every((a) => a.witnesses?.includes(m1.peerId))).toBe(true)
    expect(m2.observer!.anomalies({ peerId: m1.peerId })).toEqual([])
  }, 40_000)
})
