/**
 * Builds dist/ once per test run (`tsc -p tsconfig.build.json`), for the test that runs the
 * real bin/patternmesh.js. A failed build does not abort the run: it is handed to that test,
 * which fails with the compiler's output (type errors also fail `npm run typecheck`).
 */
import { execFileSync } from 'node:child_process'
import { createRequire } from 'node:module'
import { fileURLToPath } from 'node:url'
import type { TestProject } from 'vitest/node'

export interface DistBuild {
  ok: boolean
  output: string
}

declare module 'vitest' {
  export interface ProvidedContext {
    distBuild: DistBuild
  }
}

export default function setup(project: TestProject): void {
  const root = fileURLToPath(new URL('..', import.meta.url))
  // typescript's own bin, run by the Node that runs the tests (same as `npx tsc`, minus npm).
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc')
  try {
    execFileSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], {
      cwd: root,
      encoding: 'utf8',
      stdio: 'pipe',
    })
    project.provide('distBuild', { ok: true, output: '' })
  } catch (err) {
    const { stdout, stderr, message } = err as { stdout?: string; stderr?: string; message: string }
    project.provide('distBuild', { ok: false, output: `${stdout ?? ''}${stderr ?? ''}` || message })
  }
}
