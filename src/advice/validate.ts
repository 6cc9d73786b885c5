/**
 * Pure checks of an advice request, shared by the CLI (before anything is sent), the API and
 * the service; and the keys an advice writes. CONFIG payloads are checked against the one
 * config schema, and only keys that can change while running are accepted.
 */
import { Ajv } from 'ajv'
import { validateConfigLayer } from '../config/index.js'
import { MAX_PAYLOAD_BYTES, MAX_TARGETS, MAX_TTL_MS, MIN_TTL_MS } from './constants.js'
import { InvalidAdviceError } from './errors.js'
import { ADVICE_TYPES, type AdviceRequest, type AdviceType } from './types.js'

/**
 * Config keys a running node applies live (MeshNode.applyConfig, or read live by components).
 * Keys read only at start (listen, sendQueueLimit, syncTimeout, cacheSize, …) are refused.
 */
export const LIVE_CONFIG_KEYS = [
  'heartbeatIntervalMs',
  'heartbeatInterval',
  'principalHeartbeatIntervalMs',
  'stepIntervalMs',
  'stepWindow',
  'suspectAfter',
  'deadAfter',
  'logLevel',
  'batchMaxMessages',
  'batchLingerMs',
  'timeoutMs',
  'preempt',
  'maxWeight',
  'apiRateLimit',
  'allowPeers',
] as const

export const ADVICE_REQUEST_SCHEMA = {
  type: 'object',
  description: 'An advice to issue: the principal stamps it and broadcasts it.',
  required: ['type', 'target', 'payload', 'ttlMs'],
  additionalProperties: false,
  properties: {
    type: { type: 'string', enum: [...ADVICE_TYPES] },
    target: {
      type: 'array',
      minItems: 1,
      maxItems: MAX_TARGETS,
      items: { type: 'string', minLength: 1, maxLength: 128 },
      description: 'peer ids, `role:<name>` (principal, member, observer) or `*`',
    },
    payload: {
      type: 'object',
      description:
        'CONFIG: config keys and values; ROLE: { weight?, eligible? }; UPDATE: { key, value }',
    },
    ttlMs: { type: 'integer', minimum: MIN_TTL_MS, maximum: MAX_TTL_MS },
  },
} as const

const ajv = new Ajv({ allErrors: false, strict: true })
const validateShape = ajv.compile<AdviceRequest>(ADVICE_REQUEST_SCHEMA)
const ROLE_NAMES = new Set(['principal', 'member', 'observer'])

/** Checks a request; returns it typed or throws InvalidAdviceError naming the problem. */
export function validateAdviceRequest(value: unknown): AdviceRequest {
  if (!validateShape(value)) {
    const error = validateShape.errors?.[0]
    const field = error?.instancePath.replace(/^\//, '').replaceAll('/', '.') ?? ''
    const what =
      error?.keyword === 'required'
        ? `${String(error.params['missingProperty'])}: is required`
        : error?.keyword === 'additionalProperties'
          ? `${String(error.params['additionalProperty'])}: is not a known field`
          : `${field === '' ? 'request' : field}: ${error?.message ?? 'is invalid'}`
    throw new InvalidAdviceError(what)
  }
  for (const target of value.target) {
    if (target.startsWith('role:') && !ROLE_NAMES.has(target.slice(5)))
      throw new InvalidAdviceError(`target: unknown role selector "${target}"`)
  }
  const size = Buffer.byteLength(JSON.stringify(value.payload))
  if (size > MAX_PAYLOAD_BYTES)
    throw new InvalidAdviceError(`payload: ${size} bytes exceeds ${MAX_PAYLOAD_BYTES}`)
  checkPayload(value.type, value.payload)
  return value
}

/** The payload rules of each type; throws InvalidAdviceError with the reason. */
export function checkPayload(type: AdviceType, payload: Record<string, unknown>): void {
  switch (type) {
    case 'CONFIG': {
      const keys = Object.keys(payload)
      if (keys.length === 0) throw new InvalidAdviceError('payload: no config keys')
      try {
        validateConfigLayer(payload, 'CONFIG advice')
      } catch (err) {
        throw new InvalidAdviceError((err as Error).message)
      }
      const live = new Set<string>(LIVE_CONFIG_KEYS)
      const fixed = keys.find((key) => !live.has(key))
      if (fixed !== undefined)
        throw new InvalidAdviceError(
          `CONFIG advice: key "${fixed}" cannot be changed while running (live keys: ${LIVE_CONFIG_KEYS.join(', ')})`,
        )
      return
    }
    case 'ROLE': {
      const keys = Object.keys(payload)
      const unknown = keys.find((key) => key !== 'weight' && key !== 'eligible')
      if (unknown !== undefined)
        throw new InvalidAdviceError(`ROLE advice: unknown key "${unknown}" (weight, eligible)`)
      if (keys.length === 0) throw new InvalidAdviceError('ROLE advice: give weight or eligible')
      const { weight, eligible } = payload
      if (
        weight !== undefined &&
        (typeof weight !== 'number' || !(weight >= 0) || !isFinite(weight))
      )
        throw new InvalidAdviceError('ROLE advice: weight must be a finite number ≥ 0')
      if (eligible !== undefined && typeof eligible !== 'boolean')
        throw new InvalidAdviceError('ROLE advice: eligible must be true or false')
      return
    }
    case 'UPDATE': {
      const { key } = payload
      if (typeof key !== 'string' || key.length === 0 || key.length > 128)
        throw new InvalidAdviceError('UPDATE advice: payload.key must be a string of 1–128 chars')
      if (!('value' in payload))
        throw new InvalidAdviceError('UPDATE advice: payload.value is required')
      const extra = Object.keys(payload).find((k) => k !== 'key' && k !== 'value')
      if (extra !== undefined)
        throw new InvalidAdviceError(`UPDATE advice: unknown key "${extra}" (key, value)`)
      return
    }
  }
}

/** The keys an advice writes, each with the value it sets. */
export function adviceValues(
  type: AdviceType,
  payload: Record<string, unknown>,
): Record<string, unknown> {
  switch (type) {
    case 'CONFIG': {
      const out: Record<string, unknown> = {}
      for (const [key, value] of Object.entries(payload)) {
        out[`config:${key === 'heartbeatInterval' ? 'heartbeatIntervalMs' : key}`] = value
      }
      return out
    }
    case 'ROLE': {
      const out: Record<string, unknown> = {}
      if (payload['weight'] !== undefined) out['role:weight'] = payload['weight']
      if (payload['eligible'] !== undefined) out['role:eligible'] = payload['eligible']
      return out
    }
    case 'UPDATE':
      return { [`update:${String(payload['key'])}`]: payload['value'] }
  }
}

/** "60s", "500ms", "2m", "1h" or plain ms → ms; throws InvalidAdviceError. */
export function parseDuration(text: string): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(text.trim())
  if (match === null)
    throw new InvalidAdviceError(`ttl: "${text}" is not a duration (e.g. 60s, 500ms, 2m)`)
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[match[2] ?? 'ms'] ?? 1
  return Math.round(Number(match[1]) * unit)
}
