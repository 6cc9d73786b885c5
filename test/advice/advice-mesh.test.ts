/**
 * Advice on real in-process meshes (TCP on 127.0.0.1, roles on): CONFIG to every node, bad
 * keys, expiry, rollback, relay from a non-principal.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { PartitionTable } from '../../src/net/index.js'
import { encodeJsonPayload } from '../../src/protocol/json-payload.js'
import { connect } from '../helpers/mesh.js'
import { ROLE_TEST_CONFIG } from '../helpers/roles-mesh.js'
import { until } from '../helpers/until.js'
import { AdviceFixture, startAll, untilResults } from './helpers.js'

const INTERVAL = ROLE_TEST_CONFIG.heartbeatIntervalMs!
const fixture = new AdviceFixture()
afterEach(async () => await fixture.stopAll())

describe('advice on a 5-node mesh', () => {
  it('CONFIG to * is accepted and applied by all 5 within 2 heartbeats', async () => {
    const nodes = await fixture.mesh([50, 40, 30, 20, 10])
    const member = nodes[3]!
    const issuedAt = Date.now()
    const advice = await member.advice.issue({
      type: 'CONFIG',
      target: ['*'],
      payload: { stepWindow: 7 },
      ttlMs: 60_000,
    })
    expect(advice.issuer).toBe(nodes[0]!.peerId)
    expect(advice.origin).toBe(member.peerId)
    await until(() => nodes.every((n) => n.node.config.stepWindow === 7), {
      timeout: 2 * INTERVAL,
      message: 'every node applies stepWindow 7',
    })
    const appliedMs = Date.now() - issuedAt
    await untilResults(member, advice.id, 5, 2 * INTERVAL)
    const view = member.advice.get(advice.id)!
    expect(view.status).toBe('accepted')
    expect(view.counts).toEqual({ accepted: 5, rejected: 0, pending: 0 })
    expect(new Set(view.results.map((r) => r.target))).toEqual(new Set(nodes.map((n) => n.peerId)))
    console.info(`CONFIG to *: applied on all 5 after ${appliedMs} ms (interval ${INTERVAL} ms)`)
  })

  it('a bad key is refused before anything is sent; a bad value is rejected with its reason by every target', async () => {
    const nodes = await fixture.mesh([50, 40, 30, 20, 10])
    // Refused at the door: nothing is stamped.
    await expect(
      nodes[1]!.advice.issue({ type: 'CONFIG', target: ['*'], payload: { nope: 1 }, ttlMs: 5000 }),
    ).rejects.toThrow(/unknown key "nope"/)
    expect(nodes[0]!.advice.list()).toHaveLength(0)
    // A value valid alone but not with the targets' config: each target refuses it.
    const advice = await nodes[1]!.advice.issue({
      type: 'CONFIG',
      target: ['*'],
      payload: { suspectAfter: 50 },
      ttlMs: 60_000,
    })
    await untilResults(nodes[1]!, advice.id, 5)
    const view = nodes[1]!.advice.get(advice.id)!
    expect(view.status).toBe('rejected')
    expect(view.results.map((r) => r.status)).toEqual(Array(5).fill('rejected'))
    for (const r of view.results)
      expect(r.reason).toMatch(/deadAfter .* must be at least suspectAfter/)
    expect(nodes.every((n) => n.node.config.suspectAfter === ROLE_TEST_CONFIG.suspectAfter)).toBe(
      true,
    )
  })

  it('rollback restores the earlier value everywhere', async () => {
    const nodes = await fixture.mesh([50, 40, 30])
    const first = await nodes[2]!.advice.issue({
      type: 'CONFIG',
      target: ['*'],
      payload: { stepWindow: 4 },
      ttlMs: 60_000,
    })
    await untilResults(nodes[2]!, first.id, 3)
    const second = await nodes[1]!.advice.issue({
      type: 'CONFIG',
      target: ['*'],
      payload: { stepWindow: 9 },
      ttlMs: 60_000,
    })
    await untilResults(nodes[1]!, second.id, 3)
    expect(nodes.map((n) => n.node.config.stepWindow)).toEqual([9, 9, 9])
    const rollback = await nodes[2]!.advice.rollback(second.id)
    expect(rollback.rollbackOf).toBe(second.id)
    await until(() => nodes.every((n) => n.node.config.stepWindow === 4), {
      message: 'stepWindow back to 4',
    })
    await untilResults(nodes[2]!, rollback.id, 3)
    // Results travel to every node, the principal (nodes[0]) as well as the issuer.
    await untilResults(nodes[0]!, rollback.id, 3)
    expect(nodes[0]!.advice.get(rollback.id)!.status).toBe('accepted')
    // Rolling back the first one too restores each node's own value from before any advice.
    const original = ROLE_TEST_CONFIG.stepWindow ?? 2
    const back = await nodes[0]!.advice.rollback(first.id)
    await untilResults(nodes[0]!, back.id, 3)
    expect(nodes.map((n) => n.node.config.stepWindow)).toEqual([original, original, original])
  })

  it('a target refuses an unknown key itself, with the reason, even if a principal stamped it', async () => {
    const nodes = await fixture.mesh([50, 40, 30])
    const principal = nodes[0]!
    // A principal of another version could stamp a key these nodes do not know: forge one.
    const advice = {
      id: 'forged-unknown-key',
      type: 'CONFIG',
      target: ['*'],
      payload: { nope: 1 },
      expiry: Date.now() + 60_000,
      issuer: principal.peerId,
      origin: principal.peerId,
      term: principal.roles.term,
      step: principal.node.step,
      issuedAt: Date.now(),
      keys: ['config:nope'],
      version: { 'config:nope': { [principal.peerId]: 1 } },
      resolved: nodes.map((n) => n.peerId),
    }
    await principal.node.sendControl('advice', encodeJsonPayload(advice))
    await untilResults(principal, advice.id, 2)
    const view = principal.advice.get(advice.id)!
    for (const n of nodes.slice(1)) {
      const row = view.results.find((r) => r.target === n.peerId)!
      expect(row.status).toBe('rejected')
      expect(row.reason).toMatch(/unknown key "nope"/)
    }
  })

  it('expired advice is never applied; its pending targets count as rejected "expired"', async () => {
    const partitions = new PartitionTable()
    const nodes = await fixture.mesh([50, 40, 30], { partitions })
    // A node whose clock runs 10 minutes ahead sees every advice as expired when it arrives.
    const ahead = await fixture.create({
      weight: 5,
      partitions,
      advice: { now: () => Date.now() + 600_000 },
    })
    await Promise.all(nodes.map(async (n) => await connect(ahead.node, n.node)))
    await startAll(ahead)
    const away = nodes[2]!
    partitions.partition([[away.peerId], [...nodes.slice(0, 2), ahead].map((n) => n.peerId)])
    await Promise.all(
      [...nodes, ahead].map(async (n) => await n.gater!.closeCrossGroupConnections(n.node.libp2p)),
    )

    const advice = await nodes[1]!.advice.issue({
      type: 'CONFIG',
      target: [...nodes, ahead].map((n) => n.peerId),
      payload: { stepWindow: 6 },
      ttlMs: 1500,
    })
    await until(
      () =>
        ahead.advice
          .get(advice.id)
          ?.results.some((r) => r.target === ahead.peerId && r.status === 'rejected') === true,
      { message: 'the node ahead refuses it as expired' },
    )
    expect(ahead.node.config.stepWindow).not.toBe(6)
    expect(
      ahead.advice.get(advice.id)!.results.find((r) => r.target === ahead.peerId)!.reason,
    ).toBe('expired')
    await until(() => nodes[1]!.advice.get(advice.id)?.status === 'rejected', {
      timeout: 4000,
      message: 'expiry',
    })
    const view = nodes[1]!.advice.get(advice.id)!
    expect(view.results.find((r) => r.target === away.peerId)).toEqual({
      target: away.peerId,
      status: 'rejected',
      reason: 'expired',
    })
    expect(view.counts.accepted).toBe(2)

    // Healed, the partitioned node does not get it (anti-entropy carries only unexpired advice)
    // and, offered it directly, does not apply it.
    partitions.heal()
    await connect(away.node, nodes[0]!.node)
    await away.advice.syncNow(5)
    expect(away.node.config.stepWindow).not.toBe(6)
    expect(away.advice.get(advice.id)).toBeUndefined()
  })

  it('ROLE advice changes a weight within maxWeight (re-election follows) and refuses one above it', async () => {
    const nodes = await fixture.mesh([50, 40, 30])
    const light = nodes[2]!
    const tooHeavy = await nodes[1]!.advice.issue({
      type: 'ROLE',
      target: [light.peerId],
      payload: { weight: 500 },
      ttlMs: 60_000,
    })
    await untilResults(nodes[1]!, tooHeavy.id, 1)
    const row = nodes[1]!.advice.get(tooHeavy.id)!.results[0]!
    expect(row).toMatchObject({ target: light.peerId, status: 'rejected' })
    expect(row.reason).toMatch(/500.*100/)
    const heavier = await nodes[1]!.advice.issue({
      type: 'ROLE',
      target: [light.peerId],
      payload: { weight: 90 },
      ttlMs: 60_000,
    })
    await untilResults(nodes[1]!, heavier.id, 1)
    expect(light.node.config.weight).toBe(90)
    await until(() => nodes.every((n) => n.roles.principal === light.peerId), {
      timeout: 20 * INTERVAL,
      message: 'the reweighted node becomes principal',
    })
  })

  it('UPDATE advice reaches the application handlers; a handler may reject it', async () => {
    const nodes = await fixture.mesh([50, 40, 30])
    const seen: unknown[] = []
    nodes[0]!.advice.onUpdate((u) => {
      seen.push(u.value)
    })
    nodes[2]!.advice.onUpdate((u) => {
      if (u.value === 'bad') throw new Error('this application refuses "bad"')
    })
    const good = await nodes[1]!.advice.issue({
      type: 'UPDATE',
      target: ['*'],
      payload: { key: 'feature', value: 'on' },
      ttlMs: 60_000,
    })
    await untilResults(nodes[1]!, good.id, 3)
    expect(nodes[1]!.advice.get(good.id)!.status).toBe('accepted')
    expect(seen).toEqual(['on'])
    const bad = await nodes[1]!.advice.issue({
      type: 'UPDATE',
      target: ['*'],
      payload: { key: 'feature', value: 'bad' },
      ttlMs: 60_000,
    })
    await untilResults(nodes[1]!, bad.id, 3)
    const view = nodes[1]!.advice.get(bad.id)!
    expect(view.status).toBe('rejected')
    expect(view.results.find((r) => r.target === nodes[2]!.peerId)?.reason).toBe(
      'this application refuses "bad"',
    )
    expect(nodes[2]!.advice.update('feature')).toEqual({ value: 'on', adviceId: good.id })
    expect(nodes[0]!.advice.update('feature')).toEqual({ value: 'bad', adviceId: bad.id })
  })
})
