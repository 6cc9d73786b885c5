import type { PatternKeys } from '../pattern/index.js'
import {
  decodeBatch,
  MAX_BATCH_FRAMES,
  ReplayGuard,
  VERDICT_OF,
  verifyFrame,
  type EnvelopeKind,
  type Verdict,
  type VerifyResult,
} from '../protocol/index.js'
import { topicKindOf, type MeshTopics } from './topics.js'

export interface ReceivePipelineInit {
  generator: PatternKeys
  replayGuard: ReplayGuard
  topics: MeshTopics
  localStep: () => number
  stepWindow: () => number
  maxFrameBytes: number
}

/** The verdict of one gossip message, and of each frame in it. */
export interface GossipVerdict {
  verdict: Verdict
  frames: VerifyResult[]
  /** Each frame's bytes as received (views into the gossip message), when the batch decoded. */
  raw?: Uint8Array[]
}

/** Step announcements and heartbeats reach lagging nodes; that is how they catch up. */
const UNWINDOWED: ReadonlySet<EnvelopeKind> = new Set(['step-sync', 'heartbeat'])

/**
 * gossip message → batch → frames → verdicts. Pure apart from the replay guard. One rejected
 * frame rejects the whole gossip message (an honest sender never batches a bad frame), yet
 * the frames that passed are still handed over: they are authentic, and recorded as seen.
 */
export class ReceivePipeline {
  private readonly init: ReceivePipelineInit

  constructor(init: ReceivePipelineInit) {
    this.init = init
  }

  validate(topic: string, from: string, data: Uint8Array): GossipVerdict {
    const topicKind =
      topic === this.init.topics.data
        ? 'data'
        : topic === this.init.topics.control
          ? 'control'
          : undefined
    if (topicKind === undefined) {
      return single({
        verdict: 'ignore',
        code: 'MALFORMED',
        detail: `not a topic of this mesh: ${topic}`,
      })
    }
    const batch = decodeBatch(data, MAX_BATCH_FRAMES, maxBatchBytes(this.init.maxFrameBytes))
    if (!batch.ok)
      return single({ verdict: VERDICT_OF[batch.code], code: batch.code, detail: batch.detail })

    const ctx = {
      generator: this.init.generator,
      replayGuard: this.init.replayGuard,
      localStep: this.init.localStep(),
      stepWindow: this.init.stepWindow(),
      maxFrameBytes: this.init.maxFrameBytes,
      unwindowedKinds: UNWINDOWED,
      expectedSender: from,
    }
    const frames: VerifyResult[] = []
    let rejected = false
    let accepted = false
    for (const frame of batch.frames) {
      let outcome = verifyFrame(frame, ctx)
      if (
        outcome.envelope !== undefined &&
        outcome.verdict === 'accept' &&
        topicKindOf(outcome.envelope.kind) !== topicKind
      ) {
        outcome = {
          ...outcome,
          verdict: 'reject',
          code: 'MALFORMED',
          detail: `${outcome.envelope.kind} frame on the ${topicKind} topic`,
        }
      }
      frames.push(outcome)
      if (outcome.verdict === 'reject') rejected = true
      else if (outcome.verdict === 'accept') accepted = true
    }
    return {
      verdict: rejected ? 'reject' : accepted ? 'accept' : 'ignore',
      frames,
      raw: batch.frames,
    }
  }

  /**
   * A frame that came over repair (DESIGN §15). It is old by nature: pattern and tag are
   * checked at its own step, with no live step window, but a step more than `maxAgeSteps`
   * behind (retention) or ahead of the window is STEP_SKEW, so a stolen key cannot be used
   * to slip in frames of arbitrary steps. Its sender is its own senderId (the repairer is
   * not its author); no replay memory here: the delivery tap deduplicates by (sender, seq).
   */
  verifyRepaired(frame: Uint8Array, maxAgeSteps: number): VerifyResult {
    const localStep = this.init.localStep()
    const outcome = verifyFrame(frame, {
      generator: this.init.generator,
      replayGuard: new ReplayGuard({ maxSenders: 1, window: 32 }),
      localStep,
      stepWindow: Number.POSITIVE_INFINITY,
      maxFrameBytes: this.init.maxFrameBytes,
    })
    const envelope = outcome.envelope
    if (outcome.verdict !== 'accept' || envelope === undefined) return outcome
    if (envelope.kind !== 'data') {
      return {
        ...outcome,
        verdict: 'reject',
        code: 'MALFORMED',
        detail: 'repaired frame is not data',
      }
    }
    const step = envelope.globalStep
    if (step < localStep - maxAgeSteps || step > localStep + this.init.stepWindow()) {
      return {
        verdict: 'reject',
        code: 'STEP_SKEW',
        envelope,
        detail: `repaired frame of step ${step} is outside ${localStep} - ${maxAgeSteps} … + ${this.init.stepWindow()}`,
      }
    }
    return outcome
  }
}

/** The largest batch a receiver takes: 1 MiB, or one maximal frame if that is larger. */
export function maxBatchBytes(maxFrameBytes: number): number {
  return Math.max(1024 * 1024, maxFrameBytes + 64)
}

function single(result: VerifyResult): GossipVerdict {
  return { verdict: result.verdict, frames: [result] }
}
