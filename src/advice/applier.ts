/**
 * This node as a target: which advice are candidates for each key, which one wins (versions.ts),
 * and applying the winner's value when it changes. A rollback's value is its `restore` entry,
 * or (null) the key's baseline: what the key was here before any advice wrote it.
 */
import { applyValues, currentValue, type ApplyTarget } from './apply.js'
import { checkPayload, adviceValues } from './validate.js'
import type { Advice } from './types.js'
import { winnerOf } from './versions.js'

export interface Evaluation {
  status: 'accepted' | 'rejected'
  reason?: string
  /** Keys whose value changed here. */
  applied: string[]
  /** Baselines recorded now (to persist). */
  baselines: Array<{ key: string; value: unknown }>
}

export class AdviceApplier {
  readonly target: ApplyTarget
  private readonly candidates = new Map<string, Advice[]>()
  private readonly current = new Map<string, string>()
  readonly baseline = new Map<string, unknown>()

  constructor(target: ApplyTarget) {
    this.target = target
  }

  /** The advice currently applied for `key`, if any. */
  winner(key: string): string | undefined {
    return this.current.get(key)
  }

  /** Restores a candidate without applying (load): results on disk say it was evaluated. */
  restoreCandidate(advice: Advice): void {
    for (const key of advice.keys) this.push(key, advice)
  }

  /** After load: applies every key's winner again (the node starts from its file config). */
  async reapply(): Promise<void> {
    for (const [key, list] of this.candidates) {
      const winner = winnerOf(key, list)
      if (winner === undefined) continue
      this.current.set(key, winner.id)
      try {
        await applyValues(this.target, { [key]: this.valueOf(winner, key) }, winner.id)
      } catch {
        // It was applied before; a node whose limits changed since keeps what it has.
      }
    }
  }

  /** Validates and, where it wins, applies `advice` (targeted at this node, not expired). */
  async evaluate(advice: Advice): Promise<Evaluation> {
    const baselines: Evaluation['baselines'] = []
    if (advice.rollbackOf === undefined) {
      try {
        checkPayload(advice.type, advice.payload)
      } catch (err) {
        return { status: 'rejected', reason: (err as Error).message, applied: [], baselines }
      }
    }
    const previous = new Map(advice.keys.map((key) => [key, this.current.get(key)]))
    for (const key of advice.keys) this.push(key, advice)
    const changes: Record<string, unknown> = {}
    const changed: string[] = []
    for (const key of advice.keys) {
      const winner = winnerOf(key, this.candidates.get(key) ?? [])
      if (winner === undefined || winner.id === previous.get(key)) continue
      if (!this.baseline.has(key)) {
        const value = currentValue(this.target, key)
        this.baseline.set(key, value)
        baselines.push({ key, value })
      }
      changes[key] = this.valueOf(winner, key)
      changed.push(key)
    }
    try {
      await applyValues(this.target, changes, advice.id)
    } catch (err) {
      for (const key of advice.keys) this.drop(key, advice)
      return { status: 'rejected', reason: (err as Error).message, applied: [], baselines }
    }
    for (const key of changed) this.current.set(key, winnerOf(key, this.candidates.get(key)!)!.id)
    const won = advice.keys.filter((key) => this.current.get(key) === advice.id)
    if (won.length === 0) {
      const by = [...new Set(advice.keys.map((key) => this.current.get(key)))].join(', ')
      return { status: 'rejected', reason: `superseded by ${by}`, applied: changed, baselines }
    }
    return { status: 'accepted', applied: changed, baselines }
  }

  private valueOf(advice: Advice, key: string): unknown {
    if (advice.rollbackOf !== undefined) {
      const value = advice.restore?.[key]
      return value === null || value === undefined ? (this.baseline.get(key) ?? null) : value
    }
    return adviceValues(advice.type, advice.payload)[key]
  }

  private push(key: string, advice: Advice): void {
    const list = this.candidates.get(key) ?? []
    if (!list.some((a) => a.id === advice.id)) list.push(advice)
    this.candidates.set(key, list)
  }

  private drop(key: string, advice: Advice): void {
    const list = this.candidates.get(key)?.filter((a) => a.id !== advice.id) ?? []
    this.candidates.set(key, list)
  }
}
