import { readFile } from 'node:fs/promises'
import { ConfigError } from '../errors.js'
import { DEFAULT_CONFIG, type MeshConfig } from './defaults.js'
import { configFromEnv } from './env.js'
import { EXCLUSIVE_KEYS, validateConfigLayer, validateMergedConfig } from './validate.js'

export interface ConfigSources {
  /** Path of a JSON config file. */
  file?: string
  env?: NodeJS.ProcessEnv
  /** Values from command-line flags (already typed). */
  flags?: Record<string, unknown>
  /** Base defaults; DEFAULT_CONFIG unless given (simulations pass their own). */
  defaults?: Readonly<MeshConfig>
}

/**
 * defaults < file < environment < flags, each layer validated, then merged and checked once.
 * Throws ConfigError naming the key and the layer.
 */
export async function loadConfig(sources: ConfigSources): Promise<MeshConfig> {
  const layers: Array<Partial<MeshConfig>> = []
  if (sources.file !== undefined)
    layers.push(
      validateConfigLayer(await readConfigFile(sources.file), `config file ${sources.file}`),
    )
  if (sources.env !== undefined)
    layers.push(validateConfigLayer(configFromEnv(sources.env), 'environment'))
  if (sources.flags !== undefined)
    layers.push(validateConfigLayer(dropUndefined(sources.flags), 'command line'))
  return mergeConfig(sources.defaults ?? DEFAULT_CONFIG, ...layers)
}

export function mergeConfig(
  base: Readonly<MeshConfig>,
  ...layers: Array<Partial<MeshConfig>>
): MeshConfig {
  const merged: MeshConfig = { ...base }
  for (const layer of layers) {
    const set = dropUndefined(layer)
    // A layer that picks one of an exclusive pair overrides the other from lower layers.
    for (const [a, b] of EXCLUSIVE_KEYS) {
      if (set[a] !== undefined) delete merged[b]
      else if (set[b] !== undefined) delete merged[a]
    }
    Object.assign(merged, set)
  }
  return validateMergedConfig(merged)
}

async function readConfigFile(path: string): Promise<unknown> {
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code
    throw new ConfigError(
      `config file ${path}: ${code === 'ENOENT' ? 'no such file' : String(code ?? err)}`,
    )
  }
  try {
    return JSON.parse(stripComments(text))
  } catch (err) {
    throw new ConfigError(`config file ${path}: not valid JSON (${(err as Error).message})`)
  }
}

/** Config files may carry `//` line comments (our examples are commented); strings are kept. */
export function stripComments(text: string): string {
  return text.replace(/("(?:[^"\\]|\\.)*")|\/\/[^\n]*/g, (_m, str: string | undefined) => str ?? '')
}

function dropUndefined<T extends object>(layer: T): Partial<T> {
  return Object.fromEntries(Object.entries(layer).filter(([, v]) => v !== undefined)) as Partial<T>
}
