/**
 * Re-election triggers and refusals on real meshes: weight changes, observers, maxWeight,
 * a misbehaving principal, stale claims and fencing.
 */
import { afterEach, describe, expect, it } from 'vitest'
import {
  InvalidWeightError,
  WeightAboveMaxError,
  encodeRoleClaim,
  type ClaimRefusedDetail,
  type PrincipalChangedDetail,
  type StaleClaimDetail,
} from '../../src/roles/index.js'
import {
  ROLE_TEST_CONFIG,
  RolesFixture,
  fullMesh,
  startServices,
  untilPrincipal,
  type RoleNode,
} from '../helpers/roles-mesh.js'
import { until } from '../helpers/until.js'

const INTERVAL = ROLE_TEST_CONFIG.heartbeatIntervalMs!
const fixture = new RolesFixture()
afterEach(async () => await fixture.stopAll())

/** A formed mesh of these weights, its election services started together. */
async function meshOf(
  weights: number[],
  options: Parameters<RolesFixture['create']>[0] = {},
): Promise<RoleNode[]> {
  const nodes = await Promise.all(
    weights.map(
      async (weight) => await fixture.create({ ...options, weight, startServices: false }),
    ),
  )
  await fullMesh(nodes)
  await Promise.all(nodes.map(startServices))
  return nodes
}

function changes(node: RoleNode): PrincipalChangedDetail[] {
  const seen: PrincipalChangedDetail[] = []
  node.roles.addEventListener('roles.principal-changed', (e) => seen.push(e.detail))
  return seen
}

describe('re-election triggers', () => {
  it('a weight change that makes a node the heaviest re-elects it; lowering the principal hands over', async () => {
    const nodes = await meshOf([30, 20, 10])
    const [w30, w20, w10] = nodes as [RoleNode, RoleNode, RoleNode]
    await untilPrincipal(nodes, w30)
    const term = w30.roles.term
    const seen = changes(w10)

    w10.roles.setWeight(60)
    await untilPrincipal(nodes, w10)
    expect(w10.roles.term).toBe(term + 1)
    expect(seen.at(-1)).toMatchObject({ principal: w10.peerId, cause: 'weight-changed' })
    expect(w10.node.config.weight).toBe(60)

    // ROLE advice lowering the principal's weight moves the role to the next heaviest.
    w10.roles.setWeight(5)
    await untilPrincipal(nodes, w30)
    expect(w30.roles.term).toBe(term + 2)
    expect(agreedTerms(nodes)).toBe(true)
    void w20
  })

  it('without preempt a heavier node joining a settled mesh does not take over; with preempt it does after stabilising', async () => {
    const nodes = await meshOf([30, 20])
    await untilPrincipal(nodes, nodes[0]!)
    // The newcomer's stabilisation period is short here, so "settled" is quick to reach.
    const stabiliseHeartbeats = 4
    const heavy = await fixture.create({
      weight: 90,
      startServices: false,
      roles: { stabiliseHeartbeats },
    })
    // Settled: the principal's claim is older than a stabilisation period.
    await until(() => nodes[0]!.roles.state().claimAgeMs > (stabiliseHeartbeats + 1) * INTERVAL)
    await fullMesh([...nodes, heavy])
    await startServices(heavy)
    const all = [...nodes, heavy]
    await until(() => heavy.roles.heardMesh && heavy.roles.principal === nodes[0]!.peerId, {
      message: 'newcomer follows the settled principal',
    })
    // Past its own stabilisation period it still has not claimed.
    const target = heavy.membership.stats().heartbeatsSent + stabiliseHeartbeats + 2
    await until(() => heavy.membership.stats().heartbeatsSent >= target)
    expect(heavy.roles.stats().claimsSent).toBe(0)
    expect(heavy.roles.isPrincipal).toBe(false)

    heavy.node.applyConfig({ preempt: true })
    await untilPrincipal(all, heavy)
    expect(heavy.roles.stats().claimsSent).toBe(1)
  })

  it('an observer with the highest weight never becomes principal, even when the principal dies', async () => {
    const nodes = await Promise.all([
      fixture.create({ weight: 90, config: { observer: true }, startServices: false }),
      fixture.create({ weight: 30, startServices: false }),
      fixture.create({ weight: 20, startServices: false }),
    ])
    const [observer, w30, w20] = nodes as [RoleNode, RoleNode, RoleNode]
    const named = new Set<string | null>()
    for (const n of nodes)
      n.roles.addEventListener('roles.principal-changed', (e) => named.add(e.detail.principal))
    await fullMesh(nodes)
    await Promise.all(nodes.map(startServices))
    await untilPrincipal(nodes, w30)
    expect(observer.roles.roles).toEqual(['observer'])
    expect(observer.membership.heartbeat().eligible).toBe(false)

    await fixture.stop(w30)
    await untilPrincipal([observer, w20], w20, 30 * INTERVAL)
    expect(named.has(observer.peerId)).toBe(false)
    expect(observer.roles.stats().claimsSent).toBe(0)
  })

  it('a principal that keeps sending rejected frames loses eligibility and the next heaviest takes over', async () => {
    const nodes = await meshOf([30, 20, 10], { roles: { misbehaviour: { rejects: 5 } } })
    const [w30, w20, w10] = nodes as [RoleNode, RoleNode, RoleNode]
    await untilPrincipal(nodes, w30)
    const flagged: string[] = []
    w20.roles.addEventListener('roles.misbehaving', (e) => {
      if (e.detail.isPrincipal) flagged.push(e.detail.peerId)
    })
    // Frames that fail verification, as if signed by the principal (its peers reject them).
    for (const n of [w20, w10]) {
      for (let i = 0; i < 5; i++) {
        n.node.receive({
          topic: n.node.topics.control,
          from: w30.peerId,
          data: Buffer.from(`not a frame ${i}`),
        })
      }
    }
    await untilPrincipal(nodes, w20)
    expect(flagged).toEqual([w30.peerId])
    expect(w30.roles.isPrincipal).toBe(false)
  })
})

describe('refusals and fencing', () => {
  it('setWeight refuses a weight above maxWeight and nonsense, and changes nothing', async () => {
    const [node] = await meshOf([30])
    expect(() => node!.roles.setWeight(101)).toThrow(WeightAboveMaxError)
    expect(() => node!.roles.setWeight(101)).toThrow(
      expect.objectContaining({ code: 'WEIGHT_ABOVE_MAX', name: 'WeightAboveMaxError' }),
    )
    for (const bad of [-1, Number.NaN, Number.POSITIVE_INFINITY])
      expect(() => node!.roles.setWeight(bad)).toThrow(InvalidWeightError)
    expect(node!.node.config.weight).toBe(30)
    node!.roles.setWeight(100)
    expect(node!.node.config.weight).toBe(100)
  })

  it('a claim or heartbeat with a weight above maxWeight is refused by every node', async () => {
    const nodes = await meshOf([30, 20, 10])
    const [w30, w20, w10] = nodes as [RoleNode, RoleNode, RoleNode]
    await untilPrincipal(nodes, w30)
    const term = w30.roles.term
    const refused = new Map<string, ClaimRefusedDetail>()
    for (const n of [w30, w20])
      n.roles.addEventListener('roles.claim-refused', (e) => refused.set(n.peerId, e.detail))

    // A forged claim: a far higher term with an absurd weight.
    await w10.node.sendControl(
      'role-claim',
      encodeRoleClaim({ term: term + 50, principal: w10.peerId, weight: 5000 }),
    )
    await until(() => refused.size === 2, { message: 'both peers refuse the claim' })
    for (const detail of refused.values())
      expect(detail).toMatchObject({
        from: w10.peerId,
        term: term + 50,
        reason: 'weight-above-max',
      })
    expect([w30.roles.term, w20.roles.term]).toEqual([term, term])

    // A weight pushed above maxWeight by config (bypassing setWeight): the node is ineligible
    // everywhere, its own view included; the principal steps down and the next takes over.
    w30.node.applyConfig({ weight: 500 })
    await untilPrincipal(nodes, w20)
    expect(w30.roles.eligible).toBe(false)
    expect(w20.membership.member(w30.peerId)?.weight).toBe(500)
    // No claim ever counted the forged term: the next term is the one after the real one.
    expect(w20.roles.term).toBe(term + 1)
  })

  it('a deposed principal’s claim is stale: refused, reported, and fenced off', async () => {
    const nodes = await meshOf([30, 20])
    const [w30, w20] = nodes as [RoleNode, RoleNode]
    await untilPrincipal(nodes, w30)
    const oldTerm = w30.roles.term
    w20.roles.setWeight(40)
    await untilPrincipal(nodes, w20)
    const stale: StaleClaimDetail[] = []
    w20.roles.addEventListener('roles.stale-claim', (e) => stale.push(e.detail))

    await w30.node.sendControl(
      'role-claim',
      encodeRoleClaim({ term: oldTerm, principal: w30.peerId, weight: 30 }),
    )
    // (A heartbeat of the old principal still in flight may report the same stale claim.)
    await until(() => stale.length >= 1, { message: 'stale claim reported' })
    expect(stale[0]).toEqual({
      from: w30.peerId,
      principal: w30.peerId,
      term: oldTerm,
      currentTerm: oldTerm + 1,
    })
    expect(w20.roles.stats().staleClaims).toBeGreaterThanOrEqual(1)
    expect(w20.roles.isPrincipal).toBe(true)

    expect(w20.roles.isCurrentTerm(oldTerm + 1)).toBe(true)
    expect(w20.roles.checkFencing(oldTerm, w30.peerId)).toMatchObject({
      ok: false,
      code: 'STALE_TERM',
    })
    expect(w20.roles.checkFencing(oldTerm + 1, w30.peerId)).toMatchObject({
      ok: false,
      code: 'NOT_PRINCIPAL',
    })
    expect(w20.roles.checkFencing(oldTerm + 1, w20.peerId)).toEqual({ ok: true, newer: false })
    expect(() => w30.roles.assertFencing(oldTerm, w30.peerId)).toThrow(
      expect.objectContaining({ code: 'STALE_TERM' }),
    )
  })
})

function agreedTerms(nodes: readonly RoleNode[]): boolean {
  return new Set(nodes.map((n) => n.roles.term)).size === 1
}
