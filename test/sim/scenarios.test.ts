import { describe, expect, it } from 'vitest'
import { ATTACKER_KINDS } from '../../src/sim/index.js'
import { expectScenarioPasses } from './run-scenario.js'

// Each scenario runs a real mesh for its duration (14–16 s of wall clock). They share one file
// so that they run one after another: two wall-clock meshes (one of them five daemons) side by
// side on a 2-core machine delay each other's gossip by seconds.
describe('shipped scenarios: faults', () => {
  it('demo: a forger is caught and the principal fails over', async () => {
    const report = await expectScenarioPasses('demo')
    expect(report.figures.attacks).toEqual([
      expect.objectContaining({ kind: 'forger', detected: true }),
    ])
  })

  it('failover: two principal kills, each followed by one agreed principal', async () => {
    const report = await expectScenarioPasses('failover')
    expect(report.figures.failoverMs).toHaveLength(2)
  })

  it('partition-heal: one principal and one step after the heal', async () => {
    const report = await expectScenarioPasses('partition-heal')
    expect(report.figures.healConvergenceMs).toHaveLength(1)
  })
})

describe('shipped scenarios: attacks and advice', () => {
  it('attacks: every attacker is caught against its own peer id, no honest member blamed', async () => {
    const report = await expectScenarioPasses('attacks')
    expect(report.figures.attacks.map((a) => a.kind).sort()).toEqual([...ATTACKER_KINDS].sort())
    expect(report.figures.falsePositives).toBe(0)
  })

  it('advice-under-partition: the minority side gets the advice after the heal', async () => {
    await expectScenarioPasses('advice-under-partition')
  })

  it('failover in process mode: real daemons over TCP', async () => {
    // eventualDelivery included: the restarted daemon has every broadcast sent while it was
    // down or starting (counted from its event stream and, before that, its message log).
    const report = await expectScenarioPasses('failover', 'processes')
    expect(report.mode).toBe('processes')
  })
})
