/**
 * No loss and convergence across partitions and stops: concurrent CONFIG on both sides of a
 * partition converges to one winner; a node partitioned or stopped while 20 advices are
 * issued gets all 20 back (anti-entropy), and the issuer sees its results.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { MemoryAdviceStore, compareVectors, tieBreak } from '../../src/advice/index.js'
import { PartitionTable } from '../../src/net/index.js'
import { MemoryRoleStateStore } from '../../src/roles/index.js'
import { connect } from '../helpers/mesh.js'
import { ROLE_TEST_CONFIG, untilPrincipal } from '../helpers/roles-mesh.js'
import { until } from '../helpers/until.js'
import { AdviceFixture, startAll, untilResults, type AdviceNode } from './helpers.js'

const INTERVAL = ROLE_TEST_CONFIG.heartbeatIntervalMs!
const KEY = 'config:stepWindow'
const fixture = new AdviceFixture()
afterEach(async () => await fixture.stopAll())

async function split(partitions: PartitionTable, groups: AdviceNode[][]): Promise<void> {
  partitions.partition(groups.map((g) => g.map((n) => n.peerId)))
  await Promise.all(
    groups.flat().map(async (n) => await n.gater!.closeCrossGroupConnections(n.node.libp2p)),
  )
}

async function heal(partitions: PartitionTable, a: AdviceNode[], b: AdviceNode[]): Promise<void> {
  partitions.heal()
  await Promise.all(a.flatMap((x) => b.map(async (y) => await connect(x.node, y.node))))
}

describe('advice across partitions and stops', () => {
  it('concurrent CONFIG on the same key from both sides: after heal every node holds the same winner', async () => {
    const partitions = new PartitionTable()
    const nodes = await fixture.mesh([50, 20, 40, 30, 10], { partitions })
    const [w50, w20, w40, w30, w10] = nodes as [
      AdviceNode,
      AdviceNode,
      AdviceNode,
      AdviceNode,
      AdviceNode,
    ]
    const sideA = [w40, w30, w10]
    const sideB = [w50, w20]
    await split(partitions, [sideA, sideB])
    await untilPrincipal(sideA, w40, 30 * INTERVAL)

    const onB = await w20.advice.issue({
      type: 'CONFIG',
      target: ['*'],
      payload: { stepWindow: 5 },
      ttlMs: 60_000,
    })
    const onA = await w10.advice.issue({
      type: 'CONFIG',
      target: ['*'],
      payload: { stepWindow: 8 },
      ttlMs: 60_000,
    })
    // Each side's principal stamped its own (under load a side may have re-elected meanwhile).
    expect(sideB.map((n) => n.peerId)).toContain(onB.issuer)
    expect(sideA.map((n) => n.peerId)).toContain(onA.issuer)
    await until(
      () =>
        sideB.every((n) => n.node.config.stepWindow === 5) &&
        sideA.every((n) => n.node.config.stepWindow === 8),
      { message: 'each side applies its own' },
    )

    await heal(partitions, sideA, sideB)
    // Concurrent versions: the higher term wins, then the higher step, then the smaller issuer.
    expect(compareVectors(onA.version[KEY]!, onB.version[KEY]!)).toBe('concurrent')
    const [winner, loser] = tieBreak(onA, onB) > 0 ? [onA, onB] : [onB, onA]
    const value = winner === onA ? 8 : 5
    // Anti-entropy brings each side the other's advice; then everyone picks the same winner.
    await until(
      () =>
        nodes.every(
          (n) => n.advice.get(onA.id) !== undefined && n.advice.get(onB.id) !== undefined,
        ),
      {
        timeout: 10_000,
        message: 'both advices everywhere',
      },
    )
    await until(
      () =>
        nodes.every(
          (n) => n.node.config.stepWindow === value && n.advice.winner(KEY) === winner.id,
        ),
      { timeout: 5_000, message: 'one winner everywhere' },
    )
    // The losing side's nodes had accepted theirs; the others refuse it as superseded.
    const loserSide = loser === onA ? sideA : sideB
    const winnerSide = loser === onA ? sideB : sideA
    await untilResults(loserSide[0]!, loser.id, 5, 10_000)
    const rows = loserSide[0]!.advice.get(loser.id)!.results
    for (const n of loserSide)
      expect(rows.find((r) => r.target === n.peerId)?.status).toBe('accepted')
    for (const n of winnerSide)
      expect(rows.find((r) => r.target === n.peerId)?.reason).toBe(`superseded by ${winner.id}`)
  })

  it('a partitioned node gets all 20 advices after the heal, and the issuer sees its results', async () => {
    const partitions = new PartitionTable()
    const nodes = await fixture.mesh([50, 40, 30, 20], { partitions })
    const away = nodes[3]!
    const rest = nodes.slice(0, 3)
    await split(partitions, [[away], rest])
    const issuer = nodes[1]!
    const ids: string[] = []
    for (let i = 0; i < 20; i++) {
      const advice = await issuer.advice.issue({
        type: 'UPDATE',
        target: ['*'],
        payload: { key: `k${i}`, value: i },
        ttlMs: 60_000,
      })
      ids.push(advice.id)
    }
    expect(away.advice.list()).toHaveLength(0)
    await heal(partitions, [away], rest)
    await until(() => ids.every((id) => away.advice.get(id) !== undefined), {
      timeout: 10_000,
      message: 'all 20 at the healed node',
    })
    await until(
      () =>
        ids.every((id) =>
          issuer.advice
            .get(id)!
            .results.some((r) => r.target === away.peerId && r.status === 'accepted'),
        ),
      {
        timeout: 10_000,
        message: 'the issuer sees the healed node accept all 20',
      },
    )
    for (let i = 0; i < 20; i++) expect(away.advice.update(`k${i}`)?.value).toBe(i)
  })

  it('a stopped node gets all 20 advices when it returns, from its log and its peers', async () => {
    const nodes = await fixture.mesh([50, 40, 30])
    const gone = nodes[2]!
    const adviceStore = gone.adviceStore as MemoryAdviceStore
    const early = await nodes[1]!.advice.issue({
      type: 'UPDATE',
      target: ['*'],
      payload: { key: 'early', value: 1 },
      ttlMs: 60_000,
    })
    await untilResults(nodes[1]!, early.id, 3)
    await fixture.stop(gone)
    const ids: string[] = []
    for (let i = 0; i < 20; i++)
      ids.push(
        (
          await nodes[1]!.advice.issue({
            type: 'UPDATE',
            target: ['*'],
            payload: { key: `k${i}`, value: i },
            ttlMs: 60_000,
          })
        ).id,
      )

    const back = await fixture.create({
      weight: 30,
      privateKey: gone.privateKey,
      store: new MemoryRoleStateStore(),
      adviceStore,
    })
    await Promise.all(nodes.slice(0, 2).map(async (n) => await connect(back.node, n.node)))
    await startAll(back)
    expect(back.advice.get(early.id)).toBeDefined()
    expect(back.advice.update('early')?.value).toBe(1)
    await until(() => ids.every((id) => back.advice.get(id) !== undefined), {
      timeout: 10_000,
      message: 'all 20 back',
    })
    await until(
      () =>
        ids.every((id) => nodes[1]!.advice.get(id)!.results.some((r) => r.target === back.peerId)),
      {
        timeout: 10_000,
        message: 'results of the returned node at the issuer',
      },
    )
  })
})
