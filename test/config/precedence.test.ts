import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  DEFAULT_CONFIG,
  EXCLUSIVE_KEYS,
  envNameOf,
  loadConfig,
  type ConfigSources,
} from '../../src/config/index.js'
import { ConfigError } from '../../src/errors.js'

let dir: string
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'pm-precedence-'))
})
afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

type Layer = 'defaults' | 'file' | 'env' | 'flags'
const LAYERS: Layer[] = ['defaults', 'file', 'env', 'flags']

/** Every (lower, upper) pair of layers, lower first: defaults < file < env < flags. */
const PAIRS = LAYERS.flatMap((lower, i) => LAYERS.slice(i + 1).map((upper) => [lower, upper]))

/** A value for `key` that says which layer it came from. */
function valueFrom(layer: Layer, key: string): string {
  return `${layer}-${key}`
}

let files = 0
/** Adds `values` to `sources` as the given layer. */
async function put(
  sources: ConfigSources,
  layer: Layer,
  values: Record<string, string>,
): Promise<void> {
  switch (layer) {
    case 'defaults':
      sources.defaults = { ...DEFAULT_CONFIG, ...values }
      return
    case 'file': {
      const path = join(dir, `layer-${files++}.json`)
      await writeFile(path, JSON.stringify(values))
      sources.file = path
      return
    }
    case 'env':
      sources.env = Object.fromEntries(Object.entries(values).map(([k, v]) => [envNameOf(k), v]))
      return
    case 'flags':
      sources.flags = values
  }
}

describe('exclusive keys across layers', () => {
  it('keyFile/seed is the exclusive pair', () => {
    expect(EXCLUSIVE_KEYS).toContainEqual(['keyFile', 'seed'])
  })

  for (const [a, b] of EXCLUSIVE_KEYS) {
    describe.each(PAIRS)(`${a}/${b}: %s < %s`, (lower, upper) => {
      it.each([
        [a, b],
        [b, a],
      ])(`${upper} setting %s replaces ${lower}'s %s`, async (upperKey, lowerKey) => {
        const sources: ConfigSources = {}
        await put(sources, lower!, { [lowerKey]: valueFrom(lower!, lowerKey) })
        await put(sources, upper!, { [upperKey]: valueFrom(upper!, upperKey) })
        const config = (await loadConfig(sources)) as unknown as Record<string, unknown>
        expect(config[upperKey]).toBe(valueFrom(upper!, upperKey))
        expect(config).not.toHaveProperty(lowerKey)
      })
    })
  }

  it('a layer that sets neither keeps the one from below', async () => {
    const path = join(dir, 'seed-only.json')
    await writeFile(path, JSON.stringify({ seed: 'from-file', stepWindow: 3 }))
    const config = await loadConfig({
      file: path,
      env: { PATTERNMESH_STEP_WINDOW: '4' },
      flags: { weight: 2 },
    })
    expect(config).toMatchObject({ seed: 'from-file', stepWindow: 4, weight: 2 })
    expect(config.keyFile).toBeUndefined()
  })

  it('the top layer wins over two lower ones that disagree', async () => {
    const path = join(dir, 'file-seed.json')
    await writeFile(path, JSON.stringify({ seed: 'from-file' }))
    const config = await loadConfig({
      file: path,
      env: { PATTERNMESH_KEY_FILE: '/env/mesh.key' },
      flags: { seed: 'from-flag' },
    })
    expect(config.seed).toBe('from-flag')
    expect(config.keyFile).toBeUndefined()
  })

  it.each<[Layer, RegExp]>([
    ['file', /config file .*both\.json: give either keyFile or seed, not both/],
    ['env', /environment: give either keyFile or seed, not both/],
    ['flags', /command line: give either keyFile or seed, not both/],
  ])('one layer (%s) giving both is refused, naming the layer', async (layer, message) => {
    const sources: ConfigSources = {}
    if (layer === 'file') {
      const path = join(dir, 'both.json')
      await writeFile(path, JSON.stringify({ keyFile: '/k', seed: 's' }))
      sources.file = path
    } else await put(sources, layer, { keyFile: '/k', seed: 's' })
    const error = await loadConfig(sources).catch((err: unknown) => err)
    expect(error).toBeInstanceOf(ConfigError)
    expect((error as ConfigError).message).toMatch(message)
    expect((error as ConfigError).key).toBe('keyFile')
  })
})

describe('heartbeatInterval (the old name of heartbeatIntervalMs)', () => {
  it('a higher layer using either name wins over a lower one using the other', async () => {
    const path = join(dir, 'hb.json')
    await writeFile(path, JSON.stringify({ seed: 's', heartbeatIntervalMs: 700 }))
    expect(
      (await loadConfig({ file: path, env: { PATTERNMESH_HEARTBEAT_INTERVAL: '300' } }))
        .heartbeatIntervalMs,
    ).toBe(300)
    await writeFile(path, JSON.stringify({ seed: 's', heartbeatInterval: 700 }))
    expect(
      (await loadConfig({ file: path, flags: { heartbeatIntervalMs: 400 } })).heartbeatIntervalMs,
    ).toBe(400)
  })

  it('one layer giving both names with different values is refused', async () => {
    await expect(
      loadConfig({ flags: { seed: 's', heartbeatInterval: 300, heartbeatIntervalMs: 400 } }),
    ).rejects.toThrow(/command line: give either heartbeatIntervalMs or heartbeatInterval/)
    const same = await loadConfig({
      flags: { seed: 's', heartbeatInterval: 300, heartbeatIntervalMs: 300 },
    })
    expect(same.heartbeatIntervalMs).toBe(300)
  })
})
