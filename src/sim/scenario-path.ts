/**
 * Where `patternmesh simulate <scenario>` finds its file: a path from the current directory,
 * else the same path inside the package (`simulations/demo.json` from anywhere), else a bare
 * name of a shipped scenario (`demo` → the package's `simulations/demo.json`).
 */
import { readdir, stat } from 'node:fs/promises'
import { isAbsolute, join, resolve } from 'node:path'
import { packageInfo } from '../util/package-root.js'
import { ScenarioError } from './scenario.js'

const BARE_NAME = /^[A-Za-z0-9._-]+$/

export async function findScenario(
  given: string,
  { cwd = process.cwd(), packageRoot = packageInfo().root } = {},
): Promise<string> {
  const shipped = join(packageRoot, 'simulations')
  const candidates = [resolve(cwd, given)]
  if (!isAbsolute(given)) candidates.push(resolve(packageRoot, given))
  if (BARE_NAME.test(given)) {
    candidates.push(join(shipped, given))
    if (!given.endsWith('.json')) candidates.push(join(shipped, `${given}.json`))
  }
  for (const candidate of candidates) {
    if (await exists(candidate)) return candidate
  }
  const names = await shippedScenarios(shipped)
  throw new ScenarioError(
    `scenario ${given}: no such file${names.length > 0 ? ` (shipped scenarios: ${names.join(', ')})` : ''}`,
  )
}

/** The names `simulate` takes bare: the package's simulations/*.json. */
export async function shippedScenarios(
  dir = join(packageInfo().root, 'simulations'),
): Promise<string[]> {
  const files = await readdir(dir).catch(() => [] as string[])
  return files
    .filter((f) => f.endsWith('.json'))
    .map((f) => f.slice(0, -'.json'.length))
    .sort()
}

/** A file (a directory named like the scenario is not one). */
async function exists(path: string): Promise<boolean> {
  return await stat(path).then(
    (s) => s.isFile(),
    () => false,
  )
}
