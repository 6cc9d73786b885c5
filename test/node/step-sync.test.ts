import { afterEach, describe, expect, it } from 'vitest'
import type { MeshPeer as MeshNode } from '../../src/peer/mesh-peer.js'
import { MeshFixture, connect, subscribersOf } from '../helpers/mesh.js'
import { until } from '../helpers/until.js'

const fixture = new MeshFixture()
afterEach(async () => await fixture.stopAll())

async function fullMesh(count: number): Promise<MeshNode[]> {
  const nodes: MeshNode[] = []
  for (let i = 0; i < count; i++)
    nodes.push(await fixture.node({ stepIntervalMs: 200, heartbeatIntervalMs: 100 }))
  for (let i = 0; i < count; i++)
    for (let j = i + 1; j < count; j++) await connect(nodes[i]!, nodes[j]!)
  await until(() => nodes.every((n) => subscribersOf(n, n.topics.control).length === count - 1), {
    message: 'full mesh',
  })
  return nodes
}

describe('global step', () => {
  it('a liar announcing a huge step cannot drag the honest nodes, who stay within stepWindow', async () => {
    const nodes = await fullMesh(4)
    const [liar, ...honest] = nodes as [MeshNode, ...MeshNode[]]
    const startStep = Math.max(...honest.map((n) => n.step))
    expect(liar.sync(startStep + 1_000_000_000)).toBe(true)
    await liar.broadcast('from the future')
    // Let several announce/reconcile rounds pass (100 ms each) with the liar announcing 10^9.
    await until(() => honest.every((n) => n.step >= startStep + 5), {
      timeout: 10_000,
      message: 'honest steps advance',
    })
    for (let round = 0; round < 10; round++) {
      await until(() => honest.every((n) => n.step >= startStep + 6 + round), {
        timeout: 5000,
        message: 'next step',
      })
      const steps = honest.map((n) => n.step)
      expect(Math.max(...steps) - Math.min(...steps)).toBeLessThanOrEqual(
        honest[0]!.config.stepWindow,
      )
      expect(Math.max(...steps)).toBeLessThan(startStep + 1000)
    }
    expect(honest.some((n) => (n.stats().verdicts.STEP_SKEW ?? 0) > 0)).toBe(true)
  })

  it('a node far behind catches up with the mesh from announcements', async () => {
    const nodes = await fullMesh(3)
    for (const node of nodes.slice(1)) node.sync(nodes[0]!.step + 500)
    await until(() => nodes[0]!.step >= nodes[1]!.step - 1, {
      timeout: 10_000,
      message: 'lagging node caught up',
    })
  })

  it('a mesh whose announcements are many steps apart stays on the wall-clock step', async () => {
    // Ten steps per announcement: a peer's step as announced is up to ten steps old when the
    // reconciliation reads it, and must be taken as of now, or every node holds each round.
    const nodes: MeshNode[] = []
    for (let i = 0; i < 3; i++)
      nodes.push(await fixture.node({ stepIntervalMs: 100, heartbeatIntervalMs: 1000 }))
    for (let i = 0; i < 3; i++) for (let j = i + 1; j < 3; j++) await connect(nodes[i]!, nodes[j]!)
    const startStep = Math.max(...nodes.map((n) => n.step))
    await until(() => nodes.every((n) => n.step >= startStep + 50), {
      timeout: 15_000,
      message: '5 announcement rounds',
    })
    const wallStep = Math.floor(Date.now() / 100)
    for (const node of nodes) expect(node.step).toBeGreaterThanOrEqual(wallStep - 2)
  })

  it('a joining node asks its peers for the step before it publishes', async () => {
    const first = await fixture.node({ stepIntervalMs: 200 })
    first.sync(first.step + 10_000)
    const received: number[] = []
    first.onMessage((m) => received.push(m.envelope.globalStep))
    const joiner = await fixture.node({
      stepIntervalMs: 200,
      bootstrap: [first.getMultiaddrs()[0]!],
    })
    const synced = new Promise<{ step: number; source: string }>((resolve) =>
      joiner.addEventListener('step.synced', (e) => resolve(e.detail), { once: true }),
    )
    const receipt = await joiner.broadcast('first words')
    expect((await synced).source).toBe('peers')
    expect(receipt.step).toBeGreaterThanOrEqual(first.step - 2)
    await until(() => received.length === 1, { message: 'first message accepted' })
    expect(first.stats().verdicts.STEP_SKEW ?? 0).toBe(0)
  })

  it('a joining node ahead of the mesh takes the mesh step, so its first message is in window', async () => {
    // The mesh moved to a 2 s interval (CONFIG advice); the joiner still has 200 ms in its
    // file: its wall-clock step is ten times the mesh's.
    const first = await fixture.node({ stepIntervalMs: 2000 })
    const received: number[] = []
    first.onMessage((m) => received.push(m.envelope.globalStep))
    const joiner = await fixture.node({
      stepIntervalMs: 200,
      bootstrap: [first.getMultiaddrs()[0]!],
    })
    const receipt = await joiner.broadcast('first words')
    expect(Math.abs(receipt.step - first.step)).toBeLessThanOrEqual(first.config.stepWindow)
    await until(() => received.length === 1, { message: 'first message accepted' })
    expect(first.stats().verdicts.STEP_SKEW ?? 0).toBe(0)
  })
})
