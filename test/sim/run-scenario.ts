import { expect } from 'vitest'
import { loadScenario, runSimulation, type SimulationReport } from '../../src/sim/index.js'

/** Runs a shipped scenario and asserts that every one of its expectations held. */
export async function expectScenarioPasses(
  name: string,
  mode: 'in-process' | 'processes' = 'in-process',
  /** Expectations of the file left out of this run (a known gap, said where it is used). */
  without: ReadonlyArray<string> = [],
): Promise<SimulationReport> {
  const shipped = await loadScenario(
    new URL(`../../simulations/${name}.json`, import.meta.url).pathname,
  )
  const expect_ = Object.fromEntries(
    Object.entries(shipped.expect).filter(([key]) => !without.includes(key)),
  ) as typeof shipped.expect
  const scenario = { ...shipped, expect: expect_ }
  const { report } = await runSimulation(scenario, { mode })
  const failed = report.expectations.filter((e) => !e.passed)
  expect(failed, JSON.stringify(report.figures)).toEqual([])
  expect(report.expectations.length).toBeGreaterThan(0)
  return report
}
