/** The node's keys: the keyring's set when one is given, else one key (networkKey or seed). */
import { PatternKeySet } from '../pattern/index.js'
import type { MeshNodeInit } from './types.js'

export function nodeKeys(init: MeshNodeInit): PatternKeySet {
  if (init.keys !== undefined) return init.keys
  const { config } = init
  return new PatternKeySet(
    init.networkKey !== undefined ? { key: init.networkKey } : { seed: config.seed },
    {
      algorithm: config.algorithm,
      phaseResetInterval: config.phaseResetInterval,
      cacheSize: config.cacheSize,
    },
  )
}
