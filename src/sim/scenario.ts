/**
 * Simulation scenarios (DESIGN §11): a JSON file describing nodes, topology, network
 * conditions, honest traffic, a timeline of faults and attacks, and expectations. One ajv
 * schema is the contract: unknown fields and bad values are refused with a message naming them.
 */
import { readFile } from 'node:fs/promises'
import { Ajv, type ErrorObject } from 'ajv'
import { CONFIG_SCHEMA } from '../config/index.js'
import { PatternmeshError } from '../errors.js'

export const ATTACKER_KINDS = [
  'forger',
  'tamperer',
  'replayer',
  'step-manipulator',
  'flooder',
  'malformed',
] as const
export type AttackerKind = (typeof ATTACKER_KINDS)[number]

/** A node by index, or the principal at the moment the action runs. */
export type NodeRef = number | 'principal'

export type TimelineAction =
  | { at: number; action: 'kill'; node: NodeRef }
  | { at: number; action: 'restart'; node: number | 'killed' }
  | { at: number; action: 'partition'; groups: number[][] }
  | { at: number; action: 'heal' }
  | { at: number; action: 'weight'; node: NodeRef; weight: number }
  | {
      at: number
      action: 'advice'
      type: 'UPDATE' | 'CONFIG' | 'ROLE'
      target: string[]
      payload: unknown
      ttl?: number
    }
  | { at: number; action: 'attack'; attacker: AttackerKind; duration?: number; rate?: number }

export interface Scenario {
  name: string
  description?: string
  /** Seconds of simulated run (wall clock: the mesh runs for real). */
  duration: number
  seed: number
  nodes: { count: number; weights?: number[]; observers?: number }
  topology: { kind: 'full' } | { kind: 'random'; peers: number }
  network: { latencyMs: number; jitterMs: number; loss: number }
  /** Config overrides for every node (any MeshConfig key). */
  config: Record<string, unknown>
  /** Honest broadcasts per node per second, and their payload size. */
  traffic: { rate: number; bytes: number }
  timeline: TimelineAction[]
  expect: Expectations
}

export interface Expectations {
  /** Failover after each principal kill, ms. */
  principalFailoverMs?: { max: number }
  /** Every attack detected by the observers against the attacker's peer id. */
  attacksDetected?: boolean
  /** Anomalies recorded against honest peers. */
  falsePositives?: { max: number }
  /** Messages delivered to the nodes that could receive them (alive, same side). */
  deliveryRatio?: { min: number }
  /** Every advice accepted by every target. */
  adviceDelivered?: boolean
  /** Max − min step over live honest nodes, `within` seconds after each heal (and at the end). */
  stepSpread?: { max: number; within: number }
  /** At the end every live node names the same principal. */
  singlePrincipal?: boolean
}

const nodeRef = { oneOf: [{ type: 'integer', minimum: 0 }, { const: 'principal' }] }
const at = { type: 'number', minimum: 0 }

const SCENARIO_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  required: ['name', 'duration', 'nodes'],
  properties: {
    $schema: { type: 'string' },
    name: { type: 'string', pattern: '^[A-Za-z0-9._-]{1,64}$' },
    description: { type: 'string', maxLength: 2000 },
    duration: { type: 'number', exclusiveMinimum: 0, maximum: 3600 },
    seed: { type: 'integer', minimum: 0 },
    nodes: {
      type: 'object',
      additionalProperties: false,
      required: ['count'],
      properties: {
        count: { type: 'integer', minimum: 1, maximum: 500 },
        weights: { type: 'array', items: { type: 'number', minimum: 0 }, maxItems: 500 },
        observers: { type: 'integer', minimum: 0, maximum: 16 },
      },
    },
    topology: {
      oneOf: [
        {
          type: 'object',
          additionalProperties: false,
          required: ['kind'],
          properties: { kind: { const: 'full' } },
        },
        {
          type: 'object',
          additionalProperties: false,
          required: ['kind', 'peers'],
          properties: {
            kind: { const: 'random' },
            peers: { type: 'integer', minimum: 1, maximum: 64 },
          },
        },
      ],
    },
    network: {
      type: 'object',
      additionalProperties: false,
      properties: {
        latencyMs: { type: 'number', minimum: 0, maximum: 10_000 },
        jitterMs: { type: 'number', minimum: 0, maximum: 10_000 },
        loss: { type: 'number', minimum: 0, maximum: 0.5 },
      },
    },
    config: { type: 'object' },
    traffic: {
      type: 'object',
      additionalProperties: false,
      properties: {
        rate: { type: 'number', minimum: 0, maximum: 10_000 },
        bytes: { type: 'integer', minimum: 8, maximum: 60_000 },
      },
    },
    timeline: {
      type: 'array',
      maxItems: 1000,
      items: {
        oneOf: [
          action('kill', { node: nodeRef }, ['node']),
          action(
            'restart',
            { node: { oneOf: [{ type: 'integer', minimum: 0 }, { const: 'killed' }] } },
            ['node'],
          ),
          action(
            'partition',
            {
              groups: {
                type: 'array',
                minItems: 2,
                items: { type: 'array', items: { type: 'integer', minimum: 0 } },
              },
            },
            ['groups'],
          ),
          action('heal', {}, []),
          action('weight', { node: nodeRef, weight: { type: 'number', minimum: 0 } }, [
            'node',
            'weight',
          ]),
          action(
            'advice',
            {
              type: { enum: ['UPDATE', 'CONFIG', 'ROLE'] },
              target: { type: 'array', items: { type: 'string' }, minItems: 1 },
              payload: {},
              ttl: { type: 'number', exclusiveMinimum: 0 },
            },
            ['type', 'target', 'payload'],
          ),
          action(
            'attack',
            {
              attacker: { enum: [...ATTACKER_KINDS] },
              duration: { type: 'number', exclusiveMinimum: 0 },
              rate: { type: 'number', exclusiveMinimum: 0, maximum: 10_000 },
            },
            ['attacker'],
          ),
        ],
      },
    },
    expect: {
      type: 'object',
      additionalProperties: false,
      properties: {
        principalFailoverMs: limit('max'),
        attacksDetected: { type: 'boolean' },
        falsePositives: limit('max'),
        deliveryRatio: limit('min'),
        adviceDelivered: { type: 'boolean' },
        stepSpread: {
          type: 'object',
          additionalProperties: false,
          required: ['max', 'within'],
          properties: {
            max: { type: 'number', minimum: 0 },
            within: { type: 'number', minimum: 0 },
          },
        },
        singlePrincipal: { type: 'boolean' },
      },
    },
  },
} as const

function action(
  name: string,
  properties: Record<string, unknown>,
  required: string[],
): Record<string, unknown> {
  return {
    type: 'object',
    additionalProperties: false,
    required: ['at', 'action', ...required],
    properties: { at, action: { const: name }, ...properties },
  }
}

function limit(key: 'min' | 'max'): Record<string, unknown> {
  return {
    type: 'object',
    additionalProperties: false,
    required: [key],
    properties: { [key]: { type: 'number' } },
  }
}

/** A scenario file that cannot be used; the message names the file and the field. */
export class ScenarioError extends PatternmeshError {
  constructor(message: string) {
    super('INVALID_SCENARIO', message)
  }
}

const ajv = new Ajv({ allErrors: true, strict: false })
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

/** Rules the schema cannot say: indexes within range, events within the run. */
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
    for (const node of nodes) {
      if (node >= count)
        throw new ScenarioError(`${where}: node ${node} does not exist (nodes 0..${count - 1})`)
    }
  })
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

function describe(error: ErrorObject | undefined): string {
  if (error === undefined) return 'invalid scenario'
  const path =
    error.instancePath === '' ? 'the scenario' : error.instancePath.slice(1).replaceAll('/', '.')
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
