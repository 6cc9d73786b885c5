/**
 * Opening the sealed step-sync frames that answer the sync protocols (`/patternmesh/sync`,
 * `/patternmesh/members`): a frame is believed when its pattern value and tag verify with the
 * network key and its sender is the peer that answered. Any step is accepted (the asker may be
 * behind, that is why it asks), and no replay state is shared with the gossip path.
 */
import type { PatternKeys } from '../pattern/index.js'
import { ReplayGuard, verifyFrame, type Envelope } from '../protocol/index.js'

export interface StepFrameContext {
  generator: PatternKeys
  localStep: number
  maxFrameBytes: number
}

/** The envelope of `peerId`'s sealed step-sync frame, or undefined when it does not verify. */
export function openStepFrame(
  frame: Uint8Array,
  peerId: string,
  ctx: StepFrameContext,
): Envelope | undefined {
  const result = verifyFrame(frame, {
    generator: ctx.generator,
    replayGuard: new ReplayGuard({ maxSenders: 1 }),
    localStep: ctx.localStep,
    stepWindow: Number.POSITIVE_INFINITY,
    maxFrameBytes: ctx.maxFrameBytes,
    expectedSender: peerId,
  })
  return result.verdict === 'accept' && result.envelope?.kind === 'step-sync'
    ? result.envelope
    : undefined
}
