/**
 * What a node holds of advice, in memory: every advice and result, the merged version vector
 * of every key, and the digest items (unexpired advice and their results). No I/O.
 */
import { viewOf } from './aggregate.js'
import { DigestIndex, itemHash } from './digest.js'
import type { SyncItem } from './sync.js'
import type { Advice, AdviceResult, AdviceView, VersionVector } from './types.js'
import { mergeVectors } from './versions.js'

export class AdviceState {
  readonly advice = new Map<string, Advice>()
  readonly results = new Map<string, Map<string, AdviceResult>>()
  readonly known = new Map<string, VersionVector>()
  private readonly itemOf = new Map<string, { id: string; target?: string }>()
  private readonly adviceHash = new Map<string, string>()
  private readonly resultHashes = new Map<string, string[]>()

  /** False if already held. */
  addAdvice(advice: Advice): boolean {
    if (this.advice.has(advice.id)) return false
    this.advice.set(advice.id, advice)
    for (const key of advice.keys)
      this.known.set(key, mergeVectors(this.known.get(key) ?? {}, advice.version[key] ?? {}))
    const hash = itemHash(`a:${advice.id}`)
    this.adviceHash.set(advice.id, hash)
    this.itemOf.set(hash, { id: advice.id })
    return true
  }

  /** False if that target's result is already held (the first one stands). */
  addResult(result: AdviceResult): boolean {
    let perTarget = this.results.get(result.adviceId)
    if (perTarget === undefined) {
      perTarget = new Map()
      this.results.set(result.adviceId, perTarget)
    }
    if (perTarget.has(result.target)) return false
    perTarget.set(result.target, result)
    const hash = itemHash(`r:${result.adviceId}:${result.target}`)
    this.itemOf.set(hash, { id: result.adviceId, target: result.target })
    const list = this.resultHashes.get(result.adviceId) ?? []
    list.push(hash)
    this.resultHashes.set(result.adviceId, list)
    return true
  }

  result(adviceId: string, target: string): AdviceResult | undefined {
    return this.results.get(adviceId)?.get(target)
  }

  view(id: string, now: number): AdviceView | undefined {
    const advice = this.advice.get(id)
    return advice === undefined ? undefined : viewOf(advice, this.results.get(id), now)
  }

  /** Newest first. */
  list(now: number): AdviceView[] {
    return [...this.advice.values()]
      .sort((a, b) => b.issuedAt - a.issuedAt || (a.id < b.id ? -1 : 1))
      .map((a) => viewOf(a, this.results.get(a.id), now))
  }

  /** The digest of unexpired advice and their results. */
  index(now: number): DigestIndex {
    const hashes: string[] = []
    for (const advice of this.advice.values()) {
      if (advice.expiry < now) continue
      hashes.push(this.adviceHash.get(advice.id)!)
      hashes.push(...(this.resultHashes.get(advice.id) ?? []))
    }
    return new DigestIndex(hashes)
  }

  items(hashes: readonly string[]): SyncItem[] {
    const out: SyncItem[] = []
    for (const hash of hashes) {
      const item = this.itemOf.get(hash)
      if (item === undefined) continue
      if (item.target === undefined) {
        const advice = this.advice.get(item.id)
        if (advice !== undefined) out.push({ advice })
      } else {
        const result = this.result(item.id, item.target)
        if (result !== undefined) out.push({ result })
      }
    }
    return out
  }

  /** Drops advice past expiry by `retainMs` (and their results) unless `keep` says not to. */
  prune(now: number, retainMs: number, keep: (id: string) => boolean): number {
    let dropped = 0
    for (const advice of [...this.advice.values()]) {
      if (advice.expiry + retainMs >= now || keep(advice.id)) continue
      this.advice.delete(advice.id)
      this.itemOf.delete(this.adviceHash.get(advice.id) ?? '')
      this.adviceHash.delete(advice.id)
      for (const hash of this.resultHashes.get(advice.id) ?? []) this.itemOf.delete(hash)
      this.resultHashes.delete(advice.id)
      this.results.delete(advice.id)
      dropped++
    }
    return dropped
  }
}
