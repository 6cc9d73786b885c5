import { describe, expect, it } from 'vitest'
import { ATTACKER_KINDS } from '../../src/sim/index.js'
import { expectScenarioPasses } from './run-scenario.js'

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
    const report = await expectScenarioPasses('failover', 'processes')
    expect(report.mode).toBe('processes')
  })
})
