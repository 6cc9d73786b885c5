import { Ajv, type ErrorObject } from 'ajv'
import { ConfigError } from '../errors.js'
import type { MeshConfig } from './defaults.js'
import { CONFIG_SCHEMA } from './schema.js'

const ajv = new Ajv({ allErrors: true, strict: true, allowUnionTypes: true })
const validatePartial = ajv.compile(CONFIG_SCHEMA)

/**
 * Checks one layer of configuration (a file, the environment, flags, a CONFIG advice). The
 * error names the key and where it came from: "config file x.json: stepWindow must be …".
 */
export function validateConfigLayer(layer: unknown, source: string): Partial<MeshConfig> {
  if (typeof layer !== 'object' || layer === null || Array.isArray(layer)) {
    throw new ConfigError(`${source}: expected a JSON object of config keys`)
  }
  if (!validatePartial(layer)) {
    const first = (validatePartial.errors ?? [])[0]
    throw new ConfigError(`${source}: ${describe(first)}`, keyOf(first))
  }
  const out = { ...(layer as Partial<MeshConfig> & { heartbeatInterval?: number }) }
  // `heartbeatInterval` is the seed's NetworkConfig name for heartbeatIntervalMs.
  if (out.heartbeatInterval !== undefined) {
    out.heartbeatIntervalMs ??= out.heartbeatInterval
    delete out.heartbeatInterval
  }
  return out
}

/** Rules across keys, checked once all layers are merged. */
export function validateMergedConfig(config: MeshConfig): MeshConfig {
  if (config.deadAfter < config.suspectAfter) {
    throw new ConfigError(
      `deadAfter (${config.deadAfter}) must be at least suspectAfter (${config.suspectAfter})`,
      'deadAfter',
    )
  }
  if (config.weight > config.maxWeight) {
    throw new ConfigError(
      `weight ${config.weight} is above maxWeight ${config.maxWeight}`,
      'weight',
    )
  }
  if (config.targetPeers > config.maxPeers) {
    throw new ConfigError(
      `targetPeers (${config.targetPeers}) must be at most maxPeers (${config.maxPeers})`,
      'targetPeers',
    )
  }
  if (config.seed !== undefined && config.keyFile !== undefined) {
    throw new ConfigError('give either keyFile or seed, not both', 'keyFile')
  }
  if (config.seed === undefined && config.keyFile === undefined) {
    throw new ConfigError(
      'a network key is required: set keyFile (patternmesh keygen) or seed',
      'keyFile',
    )
  }
  return config
}

function keyOf(error: ErrorObject | undefined): string | undefined {
  if (error === undefined) return undefined
  if (error.keyword === 'additionalProperties') return String(error.params['additionalProperty'])
  const key = error.instancePath.split('/')[1]
  return key === undefined || key === '' ? undefined : key
}

function describe(error: ErrorObject | undefined): string {
  if (error === undefined) return 'invalid configuration'
  if (error.keyword === 'additionalProperties')
    return `unknown key "${String(error.params['additionalProperty'])}"`
  const path = error.instancePath.slice(1).replaceAll('/', '.')
  if (error.keyword === 'enum') {
    return `${path} must be one of ${(error.params['allowedValues'] as unknown[]).map(String).join(', ')}`
  }
  return `${path} ${error.message ?? 'is invalid'}`
}
