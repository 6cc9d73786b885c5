/**
 * Simulation scenarios (DESIGN §11): a JSON file describing nodes, topology, network
 * conditions, honest traffic, a timeline of faults and attacks, and expectations. One ajv
 * schema is the contract: unknown fields and bad values are refused with a message naming them.
 */
import { readFile } from 'node:fs/promises'
import { Ajv, type ErrorObject } from 'ajv'
import { CONFIG_SCHEMA } from '../config/index.js'
import { PatternmeshError } from '../errors.js'
import { parseTrafficTarget } from './traffic-target.js'
import {
  SCENARIO_SCHEMA,
  TIMELINE_ACTIONS,
  type GroupRef,
  type Scenario,
} from './scenario-schema.js'

export {
  ATTACKER_KINDS,
  TIMELINE_ACTIONS,
  type AttackerKind,
  type Expectations,
  type GroupRef,
  type NodeRef,
  type Scenario,
  type TimelineAction,
} from './scenario-schema.js'

/** A scenario file that cannot be used; the message names the file and the field. */
export class ScenarioError extends PatternmeshError {
  constructor(message: string) {
    super('INVALID_SCENARIO', message)
  }
}

const ajv = new Ajv({ allErrors: true, strict: false, discriminator: true })
const validate = ajv.compile(SCENARIO_SCHEMA)

const DEFAULTS = {
  seed: 1,
  topology: { kind: 'full' as const },
  network: { latencyMs: 0, jitterMs: 0, loss: 0 },
  config: {},
  traffic: { rate: 2, bytes: 64 },
  timeline: [],
  expect: {},
}

export interface ScenarioOverrides {
  nodes?: number
  duration?: number
  seed?: number
}

export async function loadScenario(
  path: string,
  overrides: ScenarioOverrides = {},
): Promise<Scenario> {
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code
    throw new ScenarioError(
      `scenario ${path}: ${code === 'ENOENT' ? 'no such file' : String(code ?? err)}`,
    )
  }
  let raw: unknown
  try {
    raw = JSON.parse(text)
  } catch (err) {
    throw new ScenarioError(`scenario ${path}: not valid JSON (${(err as Error).message})`)
  }
  return parseScenario(raw, `scenario ${path}`, overrides)
}

export function parseScenario(
  raw: unknown,
  source: string,
  overrides: ScenarioOverrides = {},
): Scenario {
  if (!validate(raw))
    throw new ScenarioError(`${source}: ${describe(mostSpecific(validate.errors ?? []))}`)
  const input = raw as Partial<Scenario> & Pick<Scenario, 'name' | 'duration' | 'nodes'>
  const scenario: Scenario = {
    ...DEFAULTS,
    ...input,
    network: { ...DEFAULTS.network, ...input.network },
    traffic: { ...DEFAULTS.traffic, ...input.traffic },
  }
  if (overrides.nodes !== undefined) scenario.nodes = { ...scenario.nodes, count: overrides.nodes }
  if (overrides.duration !== undefined) scenario.duration = overrides.duration
  if (overrides.seed !== undefined) scenario.seed = overrides.seed
  checkReferences(scenario, source)
  return scenario
}

/** Rules the schema cannot say: indexes within range, events within the run, `traffic.to`. */
function checkReferences(scenario: Scenario, source: string): void {
  const count = scenario.nodes.count
  if (scenario.nodes.weights !== undefined && scenario.nodes.weights.length !== count) {
    throw new ScenarioError(
      `${source}: nodes.weights has ${scenario.nodes.weights.length} entries for ${count} nodes`,
    )
  }
  if (scenario.topology.kind === 'random' && scenario.topology.peers >= count && count > 1) {
    throw new ScenarioError(
      `${source}: topology.peers (${scenario.topology.peers}) must be below nodes.count (${count})`,
    )
  }
  if (scenario.traffic.to !== undefined) {
    try {
      parseTrafficTarget(scenario.traffic.to, count)
    } catch (err) {
      throw new ScenarioError(`${source}: ${(err as Error).message}`)
    }
  }
  scenario.timeline.forEach((event, i) => {
    const where = `${source}: timeline[${i}]`
    if (event.at > scenario.duration)
      throw new ScenarioError(
        `${where}.at (${event.at}) is after the end of the run (${scenario.duration} s)`,
      )
    const nodes =
      event.action === 'partition'
        ? event.groups.flat()
        : 'node' in event && typeof event.node === 'number'
          ? [event.node]
          : []
    const observers = scenario.nodes.observers ?? 0
    const seen = new Set<number>()
    for (const node of nodes) {
      if (typeof node === 'number' && node >= count)
        throw new ScenarioError(`${where}: node ${node} does not exist (nodes 0..${count - 1})`)
      if (typeof node === 'string' && memberIndex(node, count) >= count + observers) {
        throw new ScenarioError(
          `${where}: observer ${node} does not exist (${observerNames(observers)})`,
        )
      }
      if (seen.has(memberIndex(node, count)))
        throw new ScenarioError(`${where}: ${node} is in two partition groups`)
      seen.add(memberIndex(node, count))
    }
  })
}

function observerNames(observers: number): string {
  if (observers === 0) return 'the scenario has no observers'
  return observers === 1 ? 'observers: obs0' : `observers: obs0..obs${observers - 1}`
}

/**
 * A member's index from a partition group's reference: nodes are 0..count-1, observers come
 * after them (`obs0` is `count`).
 */
export function memberIndex(ref: GroupRef, count: number): number {
  return typeof ref === 'number' ? ref : count + Number(ref.slice(3))
}

/** The error that says most: the deepest path, preferring one that is not a oneOf summary. */
function mostSpecific(errors: ErrorObject[]): ErrorObject | undefined {
  const useful = errors.filter((e) => e.keyword !== 'oneOf' && e.keyword !== 'const')
  const pool = useful.length > 0 ? useful : errors
  return pool.reduce<ErrorObject | undefined>(
    (best, e) =>
      best === undefined || e.instancePath.length > best.instancePath.length ? e : best,
    undefined,
  )
}

/** `/timeline/0/groups` as `timeline[0].groups`: the form the scenario's own checks use. */
function fieldPath(instancePath: string): string {
  return instancePath
    .slice(1)
    .split('/')
    .map((segment) => (/^\d+$/.test(segment) ? `[${segment}]` : `.${segment}`))
    .join('')
    .replace(/^\./, '')
}

function describe(error: ErrorObject | undefined): string {
  if (error === undefined) return 'invalid scenario'
  const path = error.instancePath === '' ? 'the scenario' : fieldPath(error.instancePath)
  if (error.keyword === 'discriminator') {
    const tag = String(error.params['tag'])
    const valid = TIMELINE_ACTIONS.join(', ')
    if (error.params['error'] === 'tag') return `${path}: missing field "${tag}" (one of ${valid})`
    return `${path}: unknown ${tag} ${JSON.stringify(error.params['tagValue'])} (valid: ${valid})`
  }
  if (/^\/timeline\/\d+\/groups\/\d+\/\d+$/.test(error.instancePath))
    return `${path} must be a node index or an observer name (obs0, obs1, …)`
  if (error.keyword === 'additionalProperties') {
    return `${path}: unknown field "${String(error.params['additionalProperty'])}"`
  }
  if (error.keyword === 'enum') {
    return `${path} must be one of ${(error.params['allowedValues'] as unknown[]).map(String).join(', ')}`
  }
  if (error.keyword === 'required')
    return `${path}: missing field "${String(error.params['missingProperty'])}"`
  return `${path} ${error.message ?? 'is invalid'}`
}

/** Config keys the scenario may override: the node config schema's. */
export const SCENARIO_CONFIG_KEYS = Object.keys(CONFIG_SCHEMA.properties)
