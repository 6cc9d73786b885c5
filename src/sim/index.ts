export {
  ATTACKER_KINDS,
  ScenarioError,
  loadScenario,
  parseScenario,
  type Scenario,
  type ScenarioOverrides,
} from './scenario.js'
export { runSimulation, type SimulateOptions, type SimulationOutcome } from './simulate.js'
export { formatTable, type SimulationReport } from './report/report.js'
export { EXPECTED_DETECTION } from './attackers/attackers.js'
