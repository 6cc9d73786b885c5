/** Process mode: real `patternmesh start` daemons over TCP on 127.0.0.1 (filled in below). */
import type { RunRecord } from './expectations.js'
import type { RunHooks } from './in-process-runner.js'
import type { Scenario } from './scenario.js'

export class ProcessSimulation {
  constructor(
    private readonly scenario: Scenario,
    private readonly hooks: RunHooks = {},
  ) {}

  async run(): Promise<RunRecord> {
    void this.hooks
    throw new Error(`process mode is not available yet for ${this.scenario.name}`)
  }
}
