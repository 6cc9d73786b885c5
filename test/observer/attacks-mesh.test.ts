/**
 * An observer in a real in-process mesh of 4 honest nodes and 4 attackers: every attack is
 * reported against the attacker's peer id, and nothing against an honest peer over the run.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { MeshPeer as MeshNode } from '../../src/peer/mesh-peer.js'
import type { Anomaly, AnomalyKind } from '../../src/observer/index.js'
import { ATTACKER_LIBP2P, captureData, publishTampered, replay } from '../helpers/attackers.js'
import { MeshFixture, connect, subscribersOf } from '../helpers/mesh.js'
import { until } from '../helpers/until.js'

const fixture = new MeshFixture()
const withServices = { services: {} }
const honest: MeshNode[] = []
let forger: MeshNode
let tamperer: MeshNode
let replayer: MeshNode
let liar: MeshNode

beforeAll(async () => {
  for (let i = 0; i < 4; i++) honest.push(await fixture.node({}, withServices))
  // Attackers publish whatever score the honest peers get in their own view (the liar, at its
  // far step, rejects all honest traffic and would otherwise stop publishing to them).
  const attacker = { libp2p: ATTACKER_LIBP2P }
  forger = await fixture.node({ seed: 'another-mesh-key' }, { ...withServices, ...attacker })
  tamperer = await fixture.node({}, attacker)
  replayer = await fixture.node({}, attacker)
  liar = await fixture.node({}, { ...withServices, ...attacker })
  const [a, ...rest] = honest
  for (const node of [...rest, forger, tamperer, replayer, liar]) await connect(node, a!)
  for (let i = 1; i < honest.length; i++) await connect(honest[i]!, honest[(i % 3) + 1]!)
  await until(() => subscribersOf(a!, a!.topics.data).length === 7, {
    message: 'everyone subscribed at the observer',
    timeout: 10_000,
  })
  await Promise.all(fixture.nodes.map(async (node) => await node.whenReady()))
}, 30_000)

afterAll(async () => {
  await fixture.stopAll()
})

describe('MeshObserver in a mesh under attack', () => {
  it('reports each attack against the attacker and nothing against honest peers', async () => {
    const observer = honest[0]!.observer!
    expect(observer.isStarted).toBe(true)
    const capture = captureData(replayer, honest[0]!.peerId)

    // Honest traffic throughout, from every honest node.
    let stop = false
    const traffic = (async () => {
      let i = 0
      while (!stop) {
        await Promise.all(honest.map(async (node) => await node.broadcast(`honest ${i}`)))
        i++
        await new Promise((resolve) => setTimeout(resolve, 50))
      }
    })()

    await until(() => capture.captured.length >= 5, { message: 'frames to replay' })
    await forger.broadcast('forged')
    for (let i = 0; i < 3; i++) await publishTampered(tamperer, `tampered ${i}`)
    await replay(replayer, capture.captured.slice(0, 5))
    const kindsOf = (peer: MeshNode): Set<AnomalyKind> =>
      new Set(observer.anomalies({ peerId: peer.peerId }).map((a) => a.kind))
    // The liar's heartbeats announce the far step first: once its far frames are rejected a
    // few times, gossipsub graylists it and drops its heartbeats unread, by design.
    liar.sync(liar.step + 1000)
    await until(() => kindsOf(liar).has('STEP_DIVERGENCE'), {
      message: 'the liar announces its step',
      timeout: 10_000,
    })
    for (let i = 0; i < 3; i++) await liar.broadcast(`from the far future ${i}`)
    const expected: Array<[string, MeshNode, AnomalyKind]> = [
      ['forger', forger, 'PATTERN_MISMATCH'],
      ['tamperer', tamperer, 'TAG_MISMATCH'],
      ['replayer', replayer, 'REPLAY'],
      ['liar', liar, 'STEP_SKEW'],
      ['liar', liar, 'STEP_DIVERGENCE'],
    ]
    await until(
      () => {
        const missing = expected.filter(([, peer, kind]) => !kindsOf(peer).has(kind))
        if (missing.length > 0)
          throw new Error(`missing: ${missing.map(([who, , kind]) => `${who} ${kind}`).join(', ')}`)
        return true
      },
      { message: 'every attack reported', timeout: 10_000 },
    )
    // Let honest traffic and heartbeats run on for a few more steps.
    const until2 = Date.now() + 2500
    await until(() => Date.now() > until2, { timeout: 5000 })
    stop = true
    await traffic
    capture.stop()

    const allowed = new Map<string, Set<AnomalyKind>>([
      [forger.peerId, new Set(['PATTERN_MISMATCH'])],
      [tamperer.peerId, new Set(['TAG_MISMATCH'])],
      // A replayed frame that beats the original to a node is a stolen frame: UNKNOWN_SENDER.
      [replayer.peerId, new Set(['REPLAY', 'UNKNOWN_SENDER'])],
      [liar.peerId, new Set(['STEP_SKEW', 'STEP_DIVERGENCE'])],
    ])
    // Every honest node's observer, not just the first: nothing against honest peers.
    for (const node of honest) {
      const anomalies: Anomaly[] = node.observer!.anomalies()
      for (const anomaly of anomalies) {
        // Nodes started apart each elect themselves, then meet: a mesh-level SPLIT_BRAIN that
        // blames nobody (peerId null) is what forming a mesh looks like.
        if (anomaly.kind === 'SPLIT_BRAIN' && anomaly.peerId === null) continue
        const kinds = allowed.get(anomaly.peerId ?? '')
        expect(kinds, `anomaly against a non-attacker: ${JSON.stringify(anomaly)}`).toBeDefined()
        expect([...kinds!], JSON.stringify(anomaly)).toContain(anomaly.kind)
      }
    }
    for (const anomaly of observer.anomalies())
      expect(anomaly).toMatchObject({ severity: expect.any(String), at: expect.any(Number) })
    const metrics = observer.networkMetrics()
    expect(metrics.patternMismatches).toBeGreaterThan(0)
    expect(metrics.totalNodes).toBeGreaterThanOrEqual(4)
    expect(metrics.networkHealth).toBeGreaterThan(0)
    expect(metrics.networkHealth).toBeLessThanOrEqual(1)
    // Honest traffic measured: rate and latency of the honest senders.
    const stats = observer.peerStats().find((s) => s.peerId === honest[1]!.peerId)
    expect(stats?.verdicts.ACCEPTED).toBeGreaterThan(10)
    expect(stats?.latencyMs).not.toBeNull()
  }, 40_000)

  it('scores the attackers down to the graylist, and honest peers stay positive', async () => {
    const pubsub = honest[0]!.libp2p.services.pubsub
    const observer = honest[0]!.observer!
    const attackers = [forger, tamperer, replayer, liar]
    for (const attacker of attackers) expect(observer.appScore(attacker.peerId)).toBeLessThan(0)
    // gossipsub's default graylist threshold is -80.
    await until(() => attackers.every((p) => pubsub.getScore(p.peerId) < -80), {
      message: 'attackers graylisted',
      timeout: 5000,
    })
    for (const node of honest.slice(1)) {
      expect(observer.appScore(node.peerId)).toBe(0)
      expect(pubsub.getScore(node.peerId)).toBeGreaterThanOrEqual(0)
    }
    await until(
      () => {
        const mesh = pubsub.getMeshPeers(honest[0]!.topics.data)
        return attackers.every((p) => !mesh.includes(p.peerId))
      },
      { message: 'attackers pruned from the mesh', timeout: 5000 },
    )
  }, 20_000)
})
