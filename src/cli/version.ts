import { readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

/**
 * The version in patternmesh's package.json. Found by walking up from this file, because the
 * file runs from `src/cli/` under tsx/vitest and from `dist/src/cli/` once built.
 */
export function packageVersion(): string {
  let dir = dirname(fileURLToPath(import.meta.url))
  for (;;) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as {
        name?: unknown
        version?: unknown
      }
      if (pkg.name === 'patternmesh' && typeof pkg.version === 'string') return pkg.version
    } catch {
      // no (readable) package.json here: keep walking up
    }
    const parent = dirname(dir)
    if (parent === dir) return '0.0.0-unknown'
    dir = parent
  }
}
