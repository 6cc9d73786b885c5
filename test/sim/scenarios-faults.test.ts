import { describe, expect, it } from 'vitest'
import { expectScenarioPasses } from './run-scenario.js'

// Each scenario runs a real mesh for its duration (14–16 s of wall clock).
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
