/**
 * Several network keys at once (DESIGN §16, Serf's keyring): one primary that stamps, and
 * others that are still (or already) accepted. A receiver finds a frame's key by its pattern
 * value: each key's value of the frame's step comes from that key's cache, so trying every key
 * costs a cache lookup per key and one tag HMAC (PROTOCOL.md §8); no key id on the wire.
 */
import { createHash } from 'node:crypto'
import { InvalidKeyError } from '../errors.js'
import type { PatternCacheStats, StepEntry } from './pattern-cache.js'
import { PatternGenerator, type PatternGeneratorInit } from './pattern-generator.js'

/** What sealing and verifying need of the keys: the primary's entries, every key's matches. */
export interface PatternKeys {
  /** The primary key's derivation of a step (what a sender stamps with). */
  entry(step: number, options?: { cache?: boolean }): StepEntry
  /** The primary key's step key. */
  stepKey(step: number): Buffer
  /** The entries of `step` whose pattern value is `value`, primary first (usually 0 or 1). */
  matching(step: number, value: number, options?: { cache?: boolean }): StepEntry[]
  cacheStats(): PatternCacheStats
}

/** Most keys held at once: a receiver derives one value per key per step. */
export const MAX_KEYS = 8

/** A key's public name: the first 8 hex digits of SHA-256 of its bytes (never the bytes). */
export function keyId(key: Uint8Array): string {
  return createHash('sha256').update(key).digest('hex').slice(0, 8)
}

export interface KeyInfo {
  id: string
  primary: boolean
}

/** Options every key's generator shares: the algorithm, phase interval and cache size. */
export type KeySetInit = Omit<PatternGeneratorInit, 'key' | 'seed'>

/**
 * The keys of one node, mutable in place (the node holds one instance for its life): the
 * keyring service installs, switches and removes keys; seal and verify read it per frame.
 */
export class PatternKeySet implements PatternKeys {
  private readonly init: KeySetInit
  /** Primary first. */
  private keys: Array<{ id: string; generator: PatternGenerator }> = []

  constructor(primary: PatternGeneratorInit, init: KeySetInit = {}) {
    this.init = init
    const generator = new PatternGenerator({ ...init, ...primary })
    this.keys = [{ id: keyId(generator.networkKeyBytes()), generator }]
  }

  get primaryId(): string {
    return this.keys[0]!.id
  }

  get algorithm(): PatternGenerator['algorithm'] {
    return this.keys[0]!.generator.algorithm
  }

  get phaseResetInterval(): number {
    return this.keys[0]!.generator.phaseResetInterval
  }

  list(): KeyInfo[] {
    return this.keys.map((k, i) => ({ id: k.id, primary: i === 0 }))
  }

  has(id: string): boolean {
    return this.keys.some((k) => k.id === id)
  }

  /** Key bytes by id: for the keyring file and members' exchange only, never for display. */
  keyBytes(id: string): Buffer | undefined {
    return this.keys.find((k) => k.id === id)?.generator.networkKeyBytes()
  }

  /** The step key of `step` under the key `id` (the keyring's exchange is sealed with it). */
  stepKeyOf(id: string, step: number): Buffer | undefined {
    return this.keys.find((k) => k.id === id)?.generator.stepKey(step)
  }

  /** Adds a key (accepted at once, not stamped with); returns its id. Idempotent. */
  install(key: Uint8Array): string {
    const id = keyId(key)
    if (this.has(id)) return id
    if (this.keys.length >= MAX_KEYS) {
      throw new InvalidKeyError(`a keyring holds at most ${MAX_KEYS} keys: remove one first`)
    }
    this.keys.push({ id, generator: new PatternGenerator({ ...this.init, key }) })
    return id
  }

  /** Makes an installed key the primary (senders stamp with it from the next frame). */
  use(id: string): void {
    const index = this.keys.findIndex((k) => k.id === id)
    if (index < 0) throw new InvalidKeyError(`no installed key has id ${id}`)
    const [chosen] = this.keys.splice(index, 1)
    this.keys.unshift(chosen!)
  }

  /** Removes a key that is not the primary. */
  remove(id: string): void {
    if (this.keys[0]!.id === id) {
      throw new InvalidKeyError(`key ${id} is the primary: use another key first`)
    }
    this.keys = this.keys.filter((k) => k.id !== id)
  }

  entry(step: number, options?: { cache?: boolean }): StepEntry {
    return this.keys[0]!.generator.entry(step, options)
  }

  stepKey(step: number): Buffer {
    return this.keys[0]!.generator.stepKey(step)
  }

  value(step: number): number {
    return this.keys[0]!.generator.value(step)
  }

  phase(step: number): number {
    return this.keys[0]!.generator.phase(step)
  }

  matching(step: number, value: number, options?: { cache?: boolean }): StepEntry[] {
    const keys = this.keys
    if (keys.length === 1) return keys[0]!.generator.matching(step, value, options)
    const out: StepEntry[] = []
    for (const k of keys) {
      const entry = k.generator.entry(step, options)
      if (entry.value === value) out.push(entry)
    }
    return out
  }

  /** The caches of all keys, summed. */
  cacheStats(): PatternCacheStats {
    const sum: PatternCacheStats = { size: 0, max: 0, hits: 0, misses: 0, evictions: 0 }
    for (const k of this.keys) {
      const s = k.generator.cacheStats()
      sum.size += s.size
      sum.max += s.max
      sum.hits += s.hits
      sum.misses += s.misses
      sum.evictions += s.evictions
    }
    return sum
  }
}
