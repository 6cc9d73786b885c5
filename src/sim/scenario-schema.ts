/**
 * The scenario file's types and its JSON schema (DESIGN §11): the contract scenario files are
 * checked against. Parsing, defaults and cross-field rules are in scenario.ts.
 */

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

/** A partition group's member: a node by index, or an observer by name (`obs0` is the first). */
export type GroupRef = number | `obs${number}`

export const TIMELINE_ACTIONS = [
  'kill',
  'restart',
  'partition',
  'heal',
  'weight',
  'advice',
  'attack',
] as const

export type TimelineAction =
  | { at: number; action: 'kill'; node: NodeRef }
  | { at: number; action: 'restart'; node: number | 'killed' }
  | { at: number; action: 'partition'; groups: GroupRef[][] }
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
  /**
   * Honest messages per node per second, and their payload size: broadcasts, or with `to`
   * directed messages (`n3`, `role:principal`, `role:member`, `any`, `key:<k>`).
   */
  traffic: { rate: number; bytes: number; to?: string }
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
  /**
   * Every broadcast reaches every member alive at the end (DESIGN §15), counting the messages
   * sent while it was partitioned or down, within `within` s (default: by the end of the run)
   * after the last heal or restart, or after its send if later.
   */
  eventualDelivery?: { min: number; within?: number }
  /** Every advice accepted by every target. */
  adviceDelivered?: boolean
  /** Max − min step over live honest nodes, `within` seconds after each heal (and at the end). */
  stepSpread?: { max: number; within: number }
  /** At the end every live node names the same principal. */
  singlePrincipal?: boolean
}

const nodeRef = { oneOf: [{ type: 'integer', minimum: 0 }, { const: 'principal' }] }
const at = { type: 'number', minimum: 0 }

export const SCENARIO_SCHEMA = {
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
        to: { type: 'string', minLength: 1, maxLength: 300 },
      },
    },
    timeline: {
      type: 'array',
      maxItems: 1000,
      items: {
        // The action picks the branch: errors are about that action's fields, and an unknown
        // action is reported as such (ajv's discriminator).
        type: 'object',
        discriminator: { propertyName: 'action' },
        required: ['action'],
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
                items: {
                  type: 'array',
                  items: {
                    oneOf: [
                      { type: 'integer', minimum: 0 },
                      { type: 'string', pattern: '^obs(0|[1-9][0-9]*)$' },
                    ],
                  },
                },
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
        eventualDelivery: {
          type: 'object',
          additionalProperties: false,
          required: ['min'],
          properties: {
            min: { type: 'number', minimum: 0, maximum: 1 },
            within: { type: 'number', exclusiveMinimum: 0 },
          },
        },
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
  name: (typeof TIMELINE_ACTIONS)[number],
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
