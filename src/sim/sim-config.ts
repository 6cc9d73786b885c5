/**
 * The config every simulated node starts from: the scenario's overrides over fast simulation
 * timings. Both drivers take it from here, so in-process nodes, daemons and attackers agree.
 */
import {
  DEFAULT_CONFIG,
  mergeConfig,
  validateConfigLayer,
  type MeshConfig,
} from '../config/index.js'
import { PatternGenerator } from '../pattern/index.js'
import type { Scenario } from './scenario.js'

/** Heartbeats fast enough that a 15-second scenario sees failures, failovers and heals. */
const SIM_TIMINGS = { heartbeatIntervalMs: 250, suspectAfter: 2, deadAfter: 4 } as const

/** The mesh's seed (its network key) for a scenario. */
export function meshSeedOf(scenario: Scenario): string {
  return `sim-${scenario.name}-${scenario.seed}`
}

/** The scenario's config layer over the simulation timings (what a daemon gets as env). */
export function simConfigLayer(scenario: Scenario): Partial<MeshConfig> {
  const overrides = validateConfigLayer(scenario.config, `scenario ${scenario.name}: config`)
  return { ...SIM_TIMINGS, ...overrides }
}

/** A whole node config for an in-process node (no listen address, no disk, no mDNS). */
export function simBaseConfig(scenario: Scenario): MeshConfig {
  return mergeConfig(DEFAULT_CONFIG, {
    meshId: `sim-${scenario.name}`,
    seed: meshSeedOf(scenario),
    dataDir: '/nonexistent',
    mdns: false,
    stepIntervalMs: 1000,
    ...simConfigLayer(scenario),
    listen: [],
    bootstrap: [],
    keyFile: undefined,
  })
}

/** The mesh's pattern generator: attackers other than the forger know the network key. */
export function meshGenerator(scenario: Scenario): PatternGenerator {
  const config = simBaseConfig(scenario)
  return new PatternGenerator({
    seed: meshSeedOf(scenario),
    algorithm: config.algorithm,
    phaseResetInterval: config.phaseResetInterval,
  })
}
