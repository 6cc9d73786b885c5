/**
 * Directed traffic in a simulation (`traffic.to`, issue 14), in process: every message is
 * delivered once, at the member it was meant for, and the report counts it.
 */
import { describe, expect, it } from 'vitest'
import { rendezvousOwner } from '../../src/direct/index.js'
import { computeFigures, evaluate } from '../../src/sim/expectations.js'
import { parseScenario } from '../../src/sim/index.js'
import { simulationRun } from '../../src/sim/simulate.js'

async function run(to: string) {
  const scenario = parseScenario(
    {
      name: `directed-${to.replace(/[^A-Za-z0-9]/g, '-')}`,
      duration: 3,
      seed: 5,
      nodes: { count: 4 },
      traffic: { rate: 4, bytes: 32, to },
      expect: { deliveryRatio: { min: 1 }, eventualDelivery: { min: 1 } },
    },
    'test',
  )
  const record = await simulationRun(scenario, 'in-process').run()
  const figures = computeFigures(record)
  const failed = evaluate(scenario.expect, record, figures).filter((e) => !e.passed)
  expect(failed, JSON.stringify(figures)).toEqual([])
  const directed = figures.directed!
  // Every send acknowledged, every message at its target, once, and nowhere else.
  expect(directed.sent).toBeGreaterThan(20)
  expect(directed.failures).toBe(0)
  expect(directed.delivered).toBe(directed.sent)
  expect(directed.misdelivered).toBe(0)
  expect(figures.duplicates).toBe(0)
  return { record, directed }
}

describe('directed traffic in a simulation (in process)', () => {
  it('to a named node: all of it reaches n2, once', async () => {
    const { directed } = await run('n2')
    expect(directed.byReceiver).toEqual({ n2: directed.sent })
  }, 60_000)

  it('to key:<k>: all of it reaches the key owner by rendezvous hashing, once', async () => {
    const { record, directed } = await run('key:orders')
    const owner = rendezvousOwner(
      'orders',
      record.members.map((m) => m.peerId),
    )
    const index = record.members.find((m) => m.peerId === owner)!.index
    expect(directed.byReceiver).toEqual({ [`n${index}`]: directed.sent })
  }, 60_000)

  it('to role:member: spread over every member round-robin, each message once', async () => {
    const { directed } = await run('role:member')
    expect(Object.keys(directed.byReceiver).sort()).toEqual(['n0', 'n1', 'n2', 'n3'])
    const counts = Object.values(directed.byReceiver)
    expect(counts.reduce((a, b) => a + b, 0)).toBe(directed.sent)
  }, 60_000)
})
