import { peerIdFromString } from '@libp2p/peer-id'
import { Ajv, type ErrorObject } from 'ajv'
import { ConfigError } from '../errors.js'
import type { MeshConfig } from './defaults.js'
import { CONFIG_SCHEMA } from './schema.js'

const ajv = new Ajv({ allErrors: true, strict: true, allowUnionTypes: true })
const validatePartial = ajv.compile(CONFIG_SCHEMA)

/** Keys a config may leave unset (only those can be exclusive). */
type OptionalKey = {
  [K in keyof MeshConfig]-?: undefined extends MeshConfig[K] ? K : never
}[keyof MeshConfig]

/**
 * Keys of which a config gives one, never both. A layer (file, environment, flags) that sets
 * one replaces the other from the layers below it, so `--key-file` overrides a file's `seed`;
 * one layer setting both is refused.
 */
export const EXCLUSIVE_KEYS: ReadonlyArray<readonly [OptionalKey, OptionalKey]> = [
  ['keyFile', 'seed'],
]

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
  // `heartbeatInterval` is the seed's NetworkConfig name for heartbeatIntervalMs: one layer
  // giving both with different values is ambiguous.
  if (out.heartbeatInterval !== undefined) {
    if (out.heartbeatIntervalMs !== undefined && out.heartbeatIntervalMs !== out.heartbeatInterval)
      throw new ConfigError(
        `${source}: give either heartbeatIntervalMs or heartbeatInterval (its old name), not both`,
        'heartbeatInterval',
      )
    out.heartbeatIntervalMs = out.heartbeatInterval
    delete out.heartbeatInterval
  }
  for (const [a, b] of EXCLUSIVE_KEYS) {
    if (out[a] !== undefined && out[b] !== undefined)
      throw new ConfigError(`${source}: give either ${a} or ${b}, not both`, a)
  }
  out.allowPeers?.forEach((id, index) => {
    try {
      peerIdFromString(id)
    } catch {
      throw new ConfigError(`${source}: allowPeers.${index} "${id}" is not a peer id`, 'allowPeers')
    }
  })
  return out
}

/**
 * Rules across keys, checked once all layers are merged. `networkKeyGiven`: the key comes
 * with the peer's init (the library), so neither keyFile nor seed is needed.
 */
export function validateMergedConfig(
  config: MeshConfig,
  options: { networkKeyGiven?: boolean } = {},
): MeshConfig {
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
  for (const [a, b] of EXCLUSIVE_KEYS) {
    if (config[a] !== undefined && config[b] !== undefined)
      throw new ConfigError(`give either ${a} or ${b}, not both`, a)
  }
  // A read token equal to the admin one would make every reader an admin.
  if (config.apiReadToken !== undefined && config.apiReadToken === config.apiToken)
    throw new ConfigError('apiReadToken must differ from apiToken', 'apiReadToken')
  if (
    config.seed === undefined &&
    config.keyFile === undefined &&
    options.networkKeyGiven !== true
  ) {
    throw new ConfigError(
      'a network key is required: set keyFile (patternmesh keygen) or seed',
      'keyFile',
    )
  }
  return config
}

function keyOf(error: ErrorObject | undefined): string | undefined {
  if (error === undefined) return undefined
  const key = error.instancePath.split('/')[1]
  if (key !== undefined && key !== '') return key
  return error.keyword === 'additionalProperties'
    ? String(error.params['additionalProperty'])
    : undefined
}

function describe(error: ErrorObject | undefined): string {
  if (error === undefined) return 'invalid configuration'
  const path = error.instancePath.slice(1).replaceAll('/', '.')
  // Nested objects (apiRateLimit) name their key: unknown key "apiRateLimit.x".
  if (error.keyword === 'additionalProperties')
    return `unknown key "${path === '' ? '' : `${path}.`}${String(error.params['additionalProperty'])}"`
  if (error.keyword === 'enum') {
    return `${path} must be one of ${(error.params['allowedValues'] as unknown[]).map(String).join(', ')}`
  }
  return `${path} ${error.message ?? 'is invalid'}`
}
