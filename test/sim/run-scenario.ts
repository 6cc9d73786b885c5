import { expect } from 'vitest'
import { loadScenario, runSimulation, type SimulationReport } from '../../src/sim/index.js'

/** Runs a shipped scenario and asserts that every one of its expectations held. */
export async function expectScenarioPasses(
  name: string,
  mode: 'in-process' | 'processes' = 'in-process',
): Promise<SimulationReport> {
  const scenario = await loadScenario(
    new URL(`../../simulations/${name}.json`, import.meta.url).pathname,
  )
  const { report } = await runSimulation(scenario, { mode })
  const failed = report.expectations.filter((e) => !e.passed)
  expect(failed, JSON.stringify(report.figures)).toEqual([])
  expect(report.expectations.length).toBeGreaterThan(0)
  return report
}
