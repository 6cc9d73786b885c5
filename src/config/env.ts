import { ConfigError } from '../errors.js'
import { CONFIG_KEYS, CONFIG_SCHEMA, type ConfigKey } from './schema.js'

const PREFIX = 'PATTERNMESH_'

/** stepIntervalMs → PATTERNMESH_STEP_INTERVAL_MS */
export function envNameOf(key: string): string {
  return PREFIX + key.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase()
}

const KEY_BY_ENV = new Map<string, ConfigKey>(CONFIG_KEYS.map((key) => [envNameOf(key), key]))

/** Variables that start with the prefix but are not config keys (the CLI's own). */
const NOT_CONFIG = new Set([`${PREFIX}CONFIG`])

/**
 * Reads `PATTERNMESH_*` variables into a config layer, converting each string by the key's
 * schema type. Lists are comma-separated. An unknown PATTERNMESH_ variable is refused, since a
 * typo would otherwise be silently ignored.
 */
export function configFromEnv(env: NodeJS.ProcessEnv): Record<string, unknown> {
  const layer: Record<string, unknown> = {}
  for (const [name, raw] of Object.entries(env)) {
    if (!name.startsWith(PREFIX) || raw === undefined || NOT_CONFIG.has(name)) continue
    const key = KEY_BY_ENV.get(name)
    if (key === undefined) throw new ConfigError(`environment: unknown variable ${name}`)
    layer[key] = parseByType(key, raw, name)
  }
  return layer
}

function parseByType(key: ConfigKey, raw: string, name: string): unknown {
  const schema = CONFIG_SCHEMA.properties[key] as { type?: string | readonly string[] }
  const type = schema.type
  if (type === 'object') {
    // Objects (apiRateLimit) are JSON: PATTERNMESH_API_RATE_LIMIT='{"writesPerSecond":50,"burst":100}'
    try {
      return JSON.parse(raw) as unknown
    } catch {
      throw new ConfigError(`environment: ${name} must be a JSON object, got "${raw}"`, key)
    }
  }
  if (type === 'array')
    return raw
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s !== '')
  if (type === 'boolean') {
    if (/^(1|true|yes|on)$/i.test(raw)) return true
    if (/^(0|false|no|off)$/i.test(raw)) return false
    throw new ConfigError(`environment: ${name} must be true or false, got "${raw}"`, key)
  }
  if (type === 'integer' || type === 'number') {
    const n = Number(raw)
    if (raw.trim() === '' || !Number.isFinite(n)) {
      throw new ConfigError(`environment: ${name} must be a number, got "${raw}"`, key)
    }
    return n
  }
  return raw
}
