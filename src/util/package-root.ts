import { readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

interface PackageInfo {
  root: string
  version: string
}

let cached: PackageInfo | undefined

/**
 * patternmesh's package directory and version, found by walking up from this file: it runs
 * from `src/util/` under tsx/vitest and from `dist/src/util/` once built.
 */
export function packageInfo(): PackageInfo {
  if (cached !== undefined) return cached
  let dir = dirname(fileURLToPath(import.meta.url))
  for (;;) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as {
        name?: unknown
        version?: unknown
      }
      if (pkg.name === 'patternmesh' && typeof pkg.version === 'string') {
        cached = { root: dir, version: pkg.version }
        return cached
      }
    } catch {
      // no (readable) package.json here: keep walking up
    }
    const parent = dirname(dir)
    if (parent === dir) return { root: process.cwd(), version: '0.0.0-unknown' }
    dir = parent
  }
}
