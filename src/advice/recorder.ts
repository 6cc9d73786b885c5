/**
 * Recording what becomes known here: each advice and each result is stored once (memory, then
 * the log) and announced as an event; an advice targeted at this node is evaluated, applied
 * where it wins, and this node's result recorded and published in turn.
 */
import type { TypedEventEmitter } from 'main-event'
import type { NodeIdentity } from '../node/ports.js'
import type { AdviceApplier } from './applier.js'
import type { AuditTrail } from './audit.js'
import type { AdviceEvents } from './events.js'
import { compactIfDue } from './persistence.js'
import type { AdviceState } from './state.js'
import type { AdviceRecord, AdviceStore } from './store.js'
import { isTarget } from './targets.js'
import type { Advice, AdviceResult } from './types.js'

export interface AdviceRecorderComponents {
  node: Pick<NodeIdentity, 'peerId'>
  state: AdviceState
  store: AdviceStore
  applier: AdviceApplier
  trail: Pick<AuditTrail, 'check'>
  events: Pick<TypedEventEmitter<AdviceEvents>, 'safeDispatchEvent'>
  /** Shared with the service's stats: advice or results already held. */
  counters: { duplicates: number }
  now: () => number
  /** An advice was stored here for the first time. */
  onStored: (advice: Advice) => void
  /** Sends this node's own result to the others, once it is stored here. */
  publishResult: (result: AdviceResult) => void
}

export class AdviceRecorder {
  private readonly c: AdviceRecorderComponents

  constructor(components: AdviceRecorderComponents) {
    this.c = components
  }

  /** Stores an advice once; as a target, evaluates it (unless `evaluate` is false). */
  async ingestAdvice(advice: Advice, evaluate = true): Promise<void> {
    if (!this.c.state.addAdvice(advice)) {
      this.c.counters.duplicates++
      return
    }
    await this.c.store.append([{ t: 'advice', advice }])
    this.c.onStored(advice)
    this.c.events.safeDispatchEvent('advice.received', { detail: { advice } })
    if (evaluate) await this.evaluateIfTarget(advice)
    await compactIfDue(this.c.store, this.c.state, this.c.applier, this.c.now())
  }

  /** As a target that has not answered yet: evaluates, applies, records and reports. */
  async evaluateIfTarget(advice: Advice): Promise<void> {
    const self = this.c.node.peerId
    if (!isTarget(advice, self) || this.c.state.result(advice.id, self) !== undefined) return
    if (this.c.now() > advice.expiry) {
      await this.report({
        adviceId: advice.id,
        target: self,
        status: 'rejected',
        reason: 'expired',
        at: this.c.now(),
      })
      return
    }
    const evaluation = await this.c.applier.evaluate(advice)
    if (evaluation.baselines.length > 0)
      await this.c.store.append(
        evaluation.baselines.map((b) => ({ t: 'baseline', ...b }) as AdviceRecord),
      )
    if (evaluation.applied.length > 0)
      this.c.events.safeDispatchEvent('advice.applied', {
        detail: { adviceId: advice.id, keys: evaluation.applied },
      })
    await this.report({
      adviceId: advice.id,
      target: self,
      status: evaluation.status,
      ...(evaluation.reason !== undefined ? { reason: evaluation.reason } : {}),
      at: this.c.now(),
    })
  }

  /** Stores a target's result once (the first one stands). */
  async ingestResult(result: AdviceResult): Promise<void> {
    if (!this.c.state.addResult(result)) {
      this.c.counters.duplicates++
      return
    }
    await this.c.store.append([{ t: 'result', result }])
    this.c.events.safeDispatchEvent('advice.result', { detail: { result } })
    this.c.trail.check(result.adviceId)
  }

  /** Stores and publishes this node's own result. */
  private async report(result: AdviceResult): Promise<void> {
    await this.ingestResult(result)
    this.c.publishResult(result)
  }
}
