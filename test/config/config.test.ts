import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { CONFIG_KEYS, DEFAULT_CONFIG, envNameOf, loadConfig } from '../../src/config/index.js'
import { ConfigError } from '../../src/errors.js'

let dir: string
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'pm-config-'))
})
afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

async function file(name: string, text: string): Promise<string> {
  const path = join(dir, name)
  await writeFile(path, text)
  return path
}

describe('loadConfig', () => {
  it('layers defaults < file < environment < flags', async () => {
    const path = await file(
      'layers.json',
      '// comment\n{ "seed": "s", "stepWindow": 3, "weight": 5, "meshId": "from-file" }',
    )
    const config = await loadConfig({
      file: path,
      env: {
        PATTERNMESH_STEP_WINDOW: '4',
        PATTERNMESH_WEIGHT: '6',
        PATTERNMESH_BOOTSTRAP: '/a, /b',
        PATTERNMESH_MDNS: 'false',
        HOME: '/x',
      },
      flags: { weight: 7, listen: undefined },
    })
    expect(config).toMatchObject({
      seed: 's',
      meshId: 'from-file',
      stepWindow: 4,
      weight: 7,
      bootstrap: ['/a', '/b'],
      mdns: false,
    })
    expect(config.listen).toEqual(DEFAULT_CONFIG.listen)
  })

  it('loads the shipped example configs', async () => {
    for (const name of ['node.example.json', 'observer.example.json', 'local-cluster.json']) {
      const config = await loadConfig({
        file: new URL(`../../configs/${name}`, import.meta.url).pathname,
      })
      expect(config.meshId).toBeTruthy()
    }
  })

  it.each([
    ['{ "seed": "s", "stepWindo": 3 }', /unknown key "stepWindo"/, 'stepWindo'],
    ['{ "seed": "s", "stepWindow": "3" }', /stepWindow must be integer/, 'stepWindow'],
    [
      '{ "seed": "s", "algorithm": "md5" }',
      /algorithm must be one of sha1, sha256, sha512/,
      'algorithm',
    ],
    ['{ "seed": "s", "weight": 2000 }', /weight 2000 is above maxWeight 1000/, 'weight'],
    ['{ "seed": "s", "suspectAfter": 5, "deadAfter": 2 }', /deadAfter/, 'deadAfter'],
    ['{ "stepWindow": 3 }', /network key is required/, 'keyFile'],
    ['{ "seed": "s", "listen": "/ip4/1.2.3.4/tcp/1" }', /listen must be array/, 'listen'],
  ])('refuses %s naming the key', async (text, message, key) => {
    const path = await file(`bad-${key}.json`, text)
    const error = await loadConfig({ file: path }).catch((err: unknown) => err)
    expect(error).toBeInstanceOf(ConfigError)
    expect((error as ConfigError).message).toMatch(message)
    expect((error as ConfigError).key).toBe(key)
  })

  it('names the file in its errors: missing, not JSON, not an object', async () => {
    await expect(loadConfig({ file: join(dir, 'nope.json') })).rejects.toThrow(
      /nope\.json: no such file/,
    )
    await expect(loadConfig({ file: await file('broken.json', '{ "seed": ') })).rejects.toThrow(
      /broken\.json: not valid JSON/,
    )
    await expect(loadConfig({ file: await file('array.json', '[1]') })).rejects.toThrow(
      /array\.json: expected a JSON object/,
    )
  })

  it('refuses unknown and badly typed PATTERNMESH_ variables by name', async () => {
    await expect(
      loadConfig({ env: { PATTERNMESH_STEP_WINDOWS: '1' }, flags: { seed: 's' } }),
    ).rejects.toThrow(/unknown variable PATTERNMESH_STEP_WINDOWS/)
    await expect(
      loadConfig({ env: { PATTERNMESH_STEP_WINDOW: 'two' }, flags: { seed: 's' } }),
    ).rejects.toThrow(/PATTERNMESH_STEP_WINDOW must be a number/)
    await expect(
      loadConfig({ env: { PATTERNMESH_MDNS: 'maybe' }, flags: { seed: 's' } }),
    ).rejects.toThrow(/PATTERNMESH_MDNS/)
  })

  it('has an environment variable for every key', () => {
    expect(envNameOf('stepIntervalMs')).toBe('PATTERNMESH_STEP_INTERVAL_MS')
    expect(new Set(CONFIG_KEYS.map(envNameOf)).size).toBe(CONFIG_KEYS.length)
  })

  it('accepts the seed NetworkConfig name heartbeatInterval as heartbeatIntervalMs', async () => {
    const config = await loadConfig({ flags: { seed: 's', heartbeatInterval: 250 } })
    expect(config.heartbeatIntervalMs).toBe(250)
  })
})
