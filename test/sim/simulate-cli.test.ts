/**
 * `patternmesh simulate` as a user runs it: the built executable, from a directory that is not
 * the repository, with stderr going to a pipe.
 */
import { execFile } from 'node:child_process'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'

const root = fileURLToPath(new URL('../..', import.meta.url))
const BIN = join(root, 'bin', 'patternmesh.js')

interface ChildRun {
  code: number
  stdout: string
  stderr: string
  ms: number
}

let dir: string
beforeAll(async () => {
  const build = inject('distBuild')
  if (!build.ok) throw new Error(`tsc -p tsconfig.build.json failed:\n${build.output}`)
  dir = await mkdtemp(join(tmpdir(), 'pm-simulate-cli-'))
})
afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

async function simulate(...args: string[]): Promise<ChildRun> {
  const started = Date.now()
  return await new Promise((resolve) => {
    execFile(
      process.execPath,
      [BIN, 'simulate', ...args],
      { cwd: dir, encoding: 'utf8', timeout: 120_000 },
      (err, stdout, stderr) => {
        const code = err === null ? 0 : typeof err.code === 'number' ? err.code : -1
        resolve({ code, stdout, stderr, ms: Date.now() - started })
      },
    )
  })
}

describe('patternmesh simulate from any directory', () => {
  it('finds a shipped scenario by bare name and by its package path', async () => {
    // demo's timeline runs past 1 s: the file is found, read and refused before any node starts.
    const shipped = join(root, 'simulations', 'demo.json')
    for (const given of ['demo', 'demo.json', 'simulations/demo.json']) {
      const run = await simulate(given, '--duration', '1')
      expect(run.code, run.stderr).toBe(2)
      expect(run.stderr).toContain(`scenario ${shipped}: timeline[`)
      expect(run.stderr).toMatch(/is after the end of the run \(1 s\)/)
    }
  })

  it('names the shipped scenarios when nothing matches', async () => {
    const run = await simulate('nope')
    expect(run.code).toBe(2)
    expect(run.stdout).toBe('')
    expect(run.stderr).toMatch(
      /^patternmesh: error: scenario nope: no such file \(shipped scenarios: [^)]*\bdemo\b[^)]*\bfailover\b/,
    )
  })

  it('names an unknown timeline action and the valid ones', async () => {
    await writeFile(
      join(dir, 'explode.json'),
      JSON.stringify({
        name: 'boom',
        duration: 5,
        nodes: { count: 3 },
        timeline: [{ at: 1, action: 'explode', node: 0 }],
      }),
    )
    const run = await simulate('explode.json')
    expect(run.code).toBe(2)
    expect(run.stderr).toBe(
      `patternmesh: error: scenario ${join(dir, 'explode.json')}: timeline[0]: unknown action "explode" (valid: kill, restart, partition, heal, weight, advice, attack)\n`,
    )
  })

  it('reads a path from the current directory first, and writes progress every 5 s to a pipe', async () => {
    // Named like a shipped scenario: the local file wins.
    await writeFile(
      join(dir, 'demo.json'),
      JSON.stringify({ name: 'local', duration: 7, nodes: { count: 2 }, traffic: { rate: 4 } }),
    )
    const run = await simulate('demo.json')
    expect(run.code, run.stderr).toBe(0)
    expect(run.stdout).toMatch(/^scenario local \(in-process/)
    expect(run.stderr).not.toContain('\r')
    const lines = run.stderr.split('\n').filter((line) => line.startsWith('[local] '))
    // One at the start, one every 5 s, the last state at the end (not one every 250 ms).
    expect(lines.length).toBeGreaterThanOrEqual(2)
    expect(lines.length).toBeLessThanOrEqual(Math.ceil(run.ms / 5000) + 1)
    expect(lines.at(-1)).toMatch(/sent [1-9]/)
  })
})
