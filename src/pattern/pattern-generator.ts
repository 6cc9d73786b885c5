import { createSecretKey } from 'node:crypto'
import { InvalidKeyError } from '../errors.js'
import {
  DEFAULT_ALGORITHM,
  DEFAULT_CACHE_SIZE,
  MIN_KEY_BYTES,
  PATTERN_ALGORITHMS,
  type PatternAlgorithm,
} from './constants.js'
import {
  assertStep,
  derivePhaseKey,
  deriveStepKey,
  dynamicTruncate,
  networkKeyFromSeed,
  phaseOf,
} from './derive.js'
import { PatternCache, type PatternCacheStats, type StepEntry } from './pattern-cache.js'

export interface PatternGeneratorInit {
  /** The network key (32 bytes from `patternmesh keygen`). Either this or `seed`. */
  key?: Uint8Array
  /** Stretched into a key; for simulations and development only. */
  seed?: string | number
  algorithm?: PatternAlgorithm
  /** Steps per phase; 0 = never reset (the raw key is the phase key). */
  phaseResetInterval?: number
  cacheSize?: number
}

/**
 * Deterministic keyed pattern values per global step (HOTP over the step counter, with
 * per-phase keys). Pure apart from its bounded cache: the same key and step give the same
 * value on every node.
 */
export class PatternGenerator {
  readonly algorithm: PatternAlgorithm
  readonly phaseResetInterval: number
  private readonly networkKey: Buffer
  private readonly cache: PatternCache
  /** Phase keys are few and reused by every step of the phase: keep the last one. */
  private lastPhase = -1
  private lastPhaseKey: Buffer = Buffer.alloc(0)

  constructor(init: PatternGeneratorInit) {
    this.algorithm = init.algorithm ?? DEFAULT_ALGORITHM
    if (!PATTERN_ALGORITHMS.includes(this.algorithm)) {
      throw new InvalidKeyError(
        `algorithm must be one of ${PATTERN_ALGORITHMS.join(', ')}, got ${String(this.algorithm)}`,
      )
    }
    this.phaseResetInterval = init.phaseResetInterval ?? 0
    if (!Number.isSafeInteger(this.phaseResetInterval) || this.phaseResetInterval < 0) {
      throw new InvalidKeyError(
        `phaseResetInterval must be a non-negative integer, got ${String(init.phaseResetInterval)}`,
      )
    }
    const cacheSize = init.cacheSize ?? DEFAULT_CACHE_SIZE
    if (!Number.isSafeInteger(cacheSize) || cacheSize < 1) {
      throw new InvalidKeyError(
        `cacheSize must be a positive integer, got ${String(init.cacheSize)}`,
      )
    }
    if (init.key !== undefined && init.seed !== undefined) {
      throw new InvalidKeyError('give either a key or a seed, not both')
    }
    if (init.key !== undefined) {
      if (init.key.length < MIN_KEY_BYTES) {
        throw new InvalidKeyError(
          `network key must be at least ${MIN_KEY_BYTES} bytes, got ${init.key.length}`,
        )
      }
      this.networkKey = Buffer.from(init.key)
    } else if (init.seed !== undefined) {
      this.networkKey = networkKeyFromSeed(init.seed)
    } else {
      throw new InvalidKeyError('a network key or a seed is required')
    }
    this.cache = new PatternCache(cacheSize)
  }

  /** The pattern value of a step: a 31-bit integer. */
  value(step: number): number {
    return this.entry(step).value
  }

  /** The step key (full HMAC output) that tags envelopes of this step. */
  stepKey(step: number): Buffer {
    return this.entry(step).stepKey
  }

  phase(step: number): number {
    return phaseOf(step, this.phaseResetInterval)
  }

  /** This key's entry of `step` if its pattern value is `value` (PatternKeys, one key). */
  matching(step: number, value: number, options: { cache?: boolean } = {}): StepEntry[] {
    const entry = this.entry(step, options)
    return entry.value === value ? [entry] : []
  }

  /** A copy of the network key: for the keyring (file, id) only. */
  networkKeyBytes(): Buffer {
    return Buffer.from(this.networkKey)
  }

  /** Cached derivation of a step; `cache: false` derives without touching the LRU. */
  entry(step: number, options: { cache?: boolean } = {}): StepEntry {
    const useCache = options.cache ?? true
    if (useCache) {
      const hit = this.cache.get(step)
      if (hit !== undefined) return hit
    }
    const entry = this.derive(step)
    if (useCache) this.cache.set(entry)
    return entry
  }

  cacheStats(): PatternCacheStats {
    return this.cache.stats()
  }

  private derive(step: number): StepEntry {
    assertStep(step)
    const phase = phaseOf(step, this.phaseResetInterval)
    const phaseKey = this.phaseKey(phase)
    const stepKey = deriveStepKey(this.algorithm, phaseKey, step)
    return {
      step,
      phase,
      value: dynamicTruncate(stepKey),
      stepKey,
      tagKey: createSecretKey(stepKey),
    }
  }

  private phaseKey(phase: number): Buffer {
    if (phase !== this.lastPhase) {
      this.lastPhaseKey = derivePhaseKey(
        this.algorithm,
        this.networkKey,
        this.phaseResetInterval,
        phase,
      )
      this.lastPhase = phase
    }
    return this.lastPhaseKey
  }
}
