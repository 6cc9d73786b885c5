import { execFile } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { expect, inject, it } from 'vitest'
import { RFC4226_ARGS, RFC4226_CODES } from './run-cli.js'

const run = promisify(execFile)
const root = fileURLToPath(new URL('../..', import.meta.url))

interface ChildRun {
  code: number
  stdout: string
  stderr: string
}

async function bin(...args: string[]): Promise<ChildRun> {
  try {
    const { stdout, stderr } = await run(process.execPath, ['bin/patternmesh.js', ...args], {
      cwd: root,
      encoding: 'utf8',
    })
    return { code: 0, stdout, stderr }
  } catch (err) {
    const { code, stdout, stderr } = err as { code?: unknown; stdout?: string; stderr?: string }
    if (typeof code !== 'number') throw err
    return { code, stdout: stdout ?? '', stderr: stderr ?? '' }
  }
}

// The one test that runs the real executable, built into dist/ by test/global-setup.ts.
it('bin/patternmesh.js prints the RFC 4226 codes and passes exit codes through', async () => {
  const build = inject('distBuild')
  if (!build.ok) throw new Error(`tsc -p tsconfig.build.json failed:\n${build.output}`)

  const ok = await bin(...RFC4226_ARGS)
  expect(ok.stderr).toBe('')
  expect(ok.code).toBe(0)
  expect(
    ok.stdout
      .trimEnd()
      .split('\n')
      .map((line) => line.split(' ').pop()),
  ).toEqual(RFC4226_CODES)

  const bad = await bin('pattern', '--seed', 's', '--step', '1.5')
  expect(bad).toEqual({
    code: 2,
    stdout: '',
    stderr:
      "patternmesh: error: option '--step <n>' argument '1.5' is invalid. expected a non-negative integer\n",
  })
})
