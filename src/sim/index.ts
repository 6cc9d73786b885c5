export {
  ATTACKER_KINDS,
  ScenarioError,
  TIMELINE_ACTIONS,
  loadScenario,
  parseScenario,
  type Scenario,
  type ScenarioOverrides,
} from './scenario.js'
export { findScenario, shippedScenarios } from './scenario-path.js'
export {
  PROGRESS_INTERVAL_MS,
  progressPrinter,
  type ProgressPrinter,
  type ProgressStream,
} from './progress.js'
export { runSimulation, type SimulateOptions, type SimulationOutcome } from './simulate.js'
export { formatTable, type SimulationReport } from './report/report.js'
export { EXPECTED_DETECTION } from './attackers/attackers.js'
