export * from './constants.js'
export {
  networkKeyFromSeed,
  derivePhaseKey,
  deriveStepKey,
  dynamicTruncate,
  formatCode,
  phaseOf,
  u64be,
} from './derive.js'
export { PatternCache, type PatternCacheStats, type StepEntry } from './pattern-cache.js'
export { PatternGenerator, type PatternGeneratorInit } from './pattern-generator.js'
export { parseNetworkKey, readNetworkKeyFile } from './key-file.js'
export {
  PatternKeySet,
  keyId,
  MAX_KEYS,
  type PatternKeys,
  type KeyInfo,
  type KeySetInit,
} from './pattern-keys.js'
