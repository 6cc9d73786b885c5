/**
 * Anomaly reports between real libp2p nodes (issue 12 items 5 and 6): a forger that dials one
 * member only is reported by an observer connected elsewhere; a member that fabricates a
 * report against an honest peer gets FALSE_REPORT; a graylisted forger that keeps sending
 * stays visible. Topology: forger — m1 — m2 — observer (the observer never sees the forger).
 */
import type { Message, SignedMessage } from '@libp2p/gossipsub'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { MeshPeer as MeshNode } from '../../src/peer/mesh-peer.js'
import type { Anomaly } from '../../src/observer/index.js'
import { encodeReport, evidenceOf } from '../../src/observer/anomaly-reports/index.js'
import { ATTACKER_LIBP2P } from '../helpers/attackers.js'
import { MeshFixture, connect, subscribersOf } from '../helpers/mesh.js'
import { until } from '../helpers/until.js'

const fixture = new MeshFixture()
let m1: MeshNode
let m2: MeshNode
let observer: MeshNode
let forger: MeshNode

beforeAll(async () => {
  m1 = await fixture.node()
  m2 = await fixture.node()
  observer = await fixture.node({ observer: true })
  forger = await fixture.node({ seed: 'another-mesh-key' }, { libp2p: ATTACKER_LIBP2P })
  await connect(m1, m2)
  await connect(observer, m2)
  await connect(forger, m1)
  await until(
    () =>
      subscribersOf(m1, m1.topics.control).length === 2 &&
      subscribersOf(m2, m2.topics.control).length === 2 &&
      subscribersOf(observer, observer.topics.control).length === 1,
    { message: 'the line forger — m1 — m2 — observer subscribed', timeout: 10_000 },
  )
  await Promise.all(fixture.nodes.map(async (node) => await node.whenReady()))
}, 30_000)

afterAll(async () => {
  await fixture.stopAll()
})

const against = (node: MeshNode, peer: MeshNode): Anomaly[] =>
  node.observer!.anomalies({ peerId: peer.peerId })

/** Nothing against the honest nodes, on any of them (m2 lies from the second test on). */
function expectNothingAgainstHonest(honestNodes = [m1, m2, observer]): void {
  for (const node of [m1, m2, observer]) {
    for (const honest of honestNodes) {
      expect(against(node, honest), `${node.peerId} against ${honest.peerId}`).toEqual([])
    }
  }
}

describe('anomaly reports in a real mesh', () => {
  it('a forger seen by one member is reported to an observer connected elsewhere', async () => {
    expect(observer.connectedPeers()).not.toContain(forger.peerId)
    await forger.broadcast('forged')
    await until(() => against(observer, forger).length > 0, {
      message: 'the observer hears of the forger',
      timeout: 2000,
    })
    expect(against(observer, forger)[0]).toMatchObject({
      kind: 'PATTERN_MISMATCH',
      source: 'reported',
      witnesses: [m1.peerId],
      severity: 'critical',
    })
    // m1 saw it first-hand; m2 heard of it, like the observer.
    expect(against(m1, forger)[0]).toMatchObject({ source: 'local', witnesses: [m1.peerId] })
    await until(() => against(m2, forger).length > 0, { message: 'm2 hears of it' })
    expect(against(m2, forger)[0]).toMatchObject({ source: 'reported', witnesses: [m1.peerId] })
    expectNothingAgainstHonest()
  })

  it('a member that fabricates reports against an honest peer gets FALSE_REPORT', async () => {
    // m2 keeps one of m1's honest gossip messages and claims it was forged.
    let kept: SignedMessage | undefined
    const pubsub = m2.libp2p.services.pubsub
    const keep = (event: CustomEvent<Message>): void => {
      const message = event.detail
      if (message.type === 'signed' && message.from.equals(m1.libp2p.peerId)) kept = message
    }
    pubsub.addEventListener('message', keep)
    await until(
      async () => {
        await m1.broadcast('honest')
        return kept !== undefined
      },
      { message: "an honest message of m1's", interval: 100 },
    )
    pubsub.removeEventListener('message', keep)
    const evidence = evidenceOf(kept!)!
    const lie = {
      v: 1 as const,
      kind: 'TAG_MISMATCH' as const,
      offender: m1.peerId,
      count: 1000,
      firstAt: Date.now(),
      lastAt: Date.now(),
    }
    // An honest message claimed forged; then a message altered, so its signature fails.
    await m2.sendControl('anomaly-report', encodeReport({ ...lie, evidence }))
    const altered = { ...evidence, data: Buffer.from('forged by m1').toString('base64') }
    await m2.sendControl('anomaly-report', encodeReport({ ...lie, evidence: altered }))
    for (const node of [m1, observer]) {
      await until(() => against(node, m2).some((a) => a.kind === 'FALSE_REPORT'), {
        message: 'FALSE_REPORT against the liar',
        timeout: 2000,
      })
      expect(against(node, m2).every((a) => a.kind === 'FALSE_REPORT')).toBe(true)
      expect(against(node, m1)).toEqual([])
    }
    // Both lies were caught (folded into one record within its window, or two).
    await until(() => against(observer, m2).reduce((sum, a) => sum + (a.count ?? 1), 0) === 2, {
      message: 'both lies counted',
    })
    expect(against(observer, m2)[0]!.detail).toMatch(
      /TAG_MISMATCH against .* (does not re-verify|signature)/,
    )
  })

  it('a graylisted forger that keeps sending stays visible: drops counted, its anomaly growing', async () => {
    const pubsub = m1.libp2p.services.pubsub
    let sending = true
    const sender = (async () => {
      while (sending) {
        await forger.broadcast('forged again').catch(() => undefined)
        await new Promise((resolve) => setTimeout(resolve, 20))
      }
    })()
    try {
      await until(() => pubsub.getScore(forger.peerId) < -80, {
        message: 'the forger graylisted at m1',
        timeout: 10_000,
      })
      const dropped = (): number =>
        m1.observer!.peerStats().find((s) => s.peerId === forger.peerId)?.droppedWhileGraylisted ??
        0
      const counted = (): number =>
        against(m1, forger)
          .filter((a) => a.kind === 'PATTERN_MISMATCH')
          .reduce((sum, a) => sum + (a.count ?? 1), 0)
      await until(() => dropped() > 0, { message: 'drops counted', timeout: 5000 })
      const before = { dropped: dropped(), counted: counted() }
      await until(() => dropped() > before.dropped + 5 && counted() > before.counted + 5, {
        message: 'drops and the anomaly count keep growing',
        timeout: 5000,
      })
      // Counted beyond what reached the validator: the drops are in the anomaly's count.
      expect(counted()).toBeGreaterThan(m1.stats().verdicts.PATTERN_MISMATCH ?? 0)
      expect(m1.observer!.stats().droppedWhileGraylisted).toBeGreaterThanOrEqual(dropped())
      expect(m1.observer!.networkMetrics().networkHealth).toBeLessThan(1)
    } finally {
      sending = false
      await sender
    }
    expectNothingAgainstHonest([m1, observer])
    for (const node of [m1, observer])
      expect(against(node, m2).every((a) => a.kind === 'FALSE_REPORT')).toBe(true)
  }, 30_000)
})
