import type { PatternKeys } from '../pattern/index.js'
import {
  decodeBatch,
  MAX_BATCH_FRAMES,
  VERDICT_OF,
  verifyFrame,
  type EnvelopeKind,
  type ReplayGuard,
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
    return { verdict: rejected ? 'reject' : accepted ? 'accept' : 'ignore', frames }
  }
}

/** The largest batch a receiver takes: 1 MiB, or one maximal frame if that is larger. */
export function maxBatchBytes(maxFrameBytes: number): number {
  return Math.max(1024 * 1024, maxFrameBytes + 64)
}

function single(result: VerifyResult): GossipVerdict {
  return { verdict: result.verdict, frames: [result] }
}
