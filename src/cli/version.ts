import { packageInfo } from '../util/package-root.js'

/** The version in patternmesh's package.json. */
export function packageVersion(): string {
  return packageInfo().version
}
