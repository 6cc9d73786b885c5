/**
 * patternmesh as a library, the way an application gets it: the packed tarball installed into
 * an empty project, and the shipped examples run against it (`import … from 'patternmesh'`).
 */
import { execFile } from 'node:child_process'
import { copyFile, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'

const run = promisify(execFile)
const root = fileURLToPath(new URL('../..', import.meta.url))
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm'
let app = ''

beforeAll(async () => {
  const build = inject('distBuild')
  if (!build.ok) throw new Error(`dist/ did not build:\n${build.output}`)
  app = await mkdtemp(join(tmpdir(), 'patternmesh-app-'))
  await run(npm, ['pack', '--ignore-scripts', '--pack-destination', app], { cwd: root })
  const tarball = (await readdir(app)).find((name) => name.endsWith('.tgz'))!
  await writeFile(join(app, 'package.json'), '{ "name": "app", "private": true, "type": "module" }')
  // Dependencies come from npm's cache when it has them (CI ran `npm ci` just before).
  await run(
    npm,
    ['install', '--prefer-offline', '--no-audit', '--no-fund', '--ignore-scripts', `./${tarball}`],
    { cwd: app, timeout: 240_000 },
  )
  for (const example of ['embedded-two-nodes.mjs', 'advice-update-handler.mjs'])
    await copyFile(join(root, 'examples', example), join(app, example))
}, 300_000)

afterAll(async () => {
  if (app !== '') await rm(app, { recursive: true, force: true })
})

async function example(name: string): Promise<string> {
  const { stdout } = await run(process.execPath, [name], { cwd: app, timeout: 60_000 })
  return stdout
}

describe('the installed package', () => {
  it('exports the library entry: the factory, the peer class, the errors', async () => {
    const { stdout } = await run(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        "const m = await import('patternmesh'); console.log(typeof m.createMeshPeer, typeof m.MeshPeer, typeof m.ConfigError)",
      ],
      { cwd: app },
    )
    expect(stdout.trim().split(' ')).toEqual(['function', 'function', 'function'])
  })

  it('runs the embedded two-node example: a message from one member reaches the other', async () => {
    expect(await example('embedded-two-nodes.mjs')).toMatch(/^bob received: hello from alice/m)
  })

  it('runs the advice example: an UPDATE reaches the application handler and is accepted', async () => {
    const out = await example('advice-update-handler.mjs')
    expect(out).toMatch(/bob applies greeting = "hello bob"/)
    expect(out).toMatch(/: accepted$/m)
  })

  it('refuses a bad config with the key named, before anything starts', async () => {
    const { stdout } = await run(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        "import { createMeshPeer } from 'patternmesh'; try { createMeshPeer({ config: { seed: 'x', heartbeatIntervalMs: 'fast' } }) } catch (e) { console.log(e.name, e.key) }",
      ],
      { cwd: app },
    )
    expect(stdout.trim()).toBe('ConfigError heartbeatIntervalMs')
  })
}, 120_000)
