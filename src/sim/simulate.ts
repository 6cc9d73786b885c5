import { mkdir, writeFile } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import type { Logger } from 'pino'
import { computeFigures, evaluate } from './expectations.js'
import { InProcessDriver } from './in-process/driver.js'
import { ProcessDriver } from './processes/driver.js'
import { renderHtml } from './report/html.js'
import { buildReport, type SimulationReport } from './report/report.js'
import type { Scenario } from './scenario.js'
import { SimulationRun, type RunHooks } from './simulation-run.js'

export interface SimulateOptions {
  mode: 'in-process' | 'processes'
  /** Writes report.json and report.html there. */
  outDir?: string
  progress?: (line: string) => void
  logger?: Logger
}

export interface SimulationOutcome {
  report: SimulationReport
  /** Paths written, when `outDir` was given. */
  files?: { json: string; html: string }
}

/** A run of `scenario` over the driver of `mode` (not started). */
export function simulationRun(
  scenario: Scenario,
  mode: SimulateOptions['mode'],
  hooks: RunHooks = {},
): SimulationRun {
  const driver =
    mode === 'processes'
      ? new ProcessDriver(scenario)
      : new InProcessDriver(scenario, hooks.logger !== undefined ? { logger: hooks.logger } : {})
  return new SimulationRun(scenario, driver, hooks)
}

/** Runs a scenario and judges it; never leaves a node running, whatever happens. */
export async function runSimulation(
  scenario: Scenario,
  options: SimulateOptions,
): Promise<SimulationOutcome> {
  const hooks = {
    ...(options.progress !== undefined ? { progress: options.progress } : {}),
    ...(options.logger !== undefined ? { logger: options.logger } : {}),
  }
  const record = await simulationRun(scenario, options.mode, hooks).run()
  const figures = computeFigures(record)
  const report = buildReport(
    scenario,
    options.mode,
    record,
    evaluate(scenario.expect, record, figures),
    figures,
  )
  if (options.outDir === undefined) return { report }
  const dir = resolve(options.outDir)
  await mkdir(dir, { recursive: true })
  const files = { json: join(dir, 'report.json'), html: join(dir, 'report.html') }
  await writeFile(files.json, JSON.stringify(report, null, 2) + '\n')
  await writeFile(files.html, renderHtml(report, record))
  return { report, files }
}
