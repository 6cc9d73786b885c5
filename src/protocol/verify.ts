import type { PatternKeys } from '../pattern/index.js'
import { decodeFrame } from './codec.js'
import { DEFAULT_MAX_FRAME_BYTES, DEFAULT_STEP_WINDOW, type EnvelopeKind } from './constants.js'
import type { Envelope } from './envelope.js'
import type { ReplayGuard } from './replay-guard.js'
import { tagMatches } from './tag.js'
import { VERDICT_OF, type Verdict, type VerdictCode } from './verdict.js'

/** A skew within this many windows is plausibly honest drift (ignored, not rejected). */
const NEAR_SKEW_FACTOR = 2

/** Steps around the local one worth caching: honest traffic lives there. */
const CACHED_STEP_SPAN = 16

export interface VerifyContext {
  generator: PatternKeys
  replayGuard: ReplayGuard
  /** The receiver's current global step. */
  localStep: number
  /** Steps either side of `localStep` accepted; Infinity skips the window. */
  stepWindow?: number
  /** Kinds checked without the step window: step announcements must reach a node that lags. */
  unwindowedKinds?: ReadonlySet<EnvelopeKind>
  maxFrameBytes?: number
  /**
   * The peer that signed the gossip message carrying the frame. A frame whose senderId is
   * another peer is UNKNOWN_SENDER: checked after the replay check, so a replayed frame is
   * called a REPLAY, and before recording, so a stolen fresh frame cannot burn its seq.
   */
  expectedSender?: string
}

export interface VerifyResult {
  verdict: Verdict
  code: VerdictCode
  /** Present once the frame decoded, even when it is then rejected (the observer reports it). */
  envelope?: Envelope
  /** The frame's tag, when accepted: its hex is the message id on every node. */
  tag?: Uint8Array
  detail?: string
}

/**
 * Full receive check of one frame, pure and synchronous apart from the replay guard (which
 * records the frame only when it is accepted). Order: size, decode, pattern, tag, step window,
 * replay, sender; so a frame is blamed for what it provably is: a valid-tag frame from an old step
 * whose seq this node already accepted is a REPLAY; one from a far step that was never seen here
 * (late, or a lagging sender) is STEP_SKEW, however far its sender has moved past that seq.
 */
export function verifyFrame(frame: Uint8Array, ctx: VerifyContext): VerifyResult {
  const maxFrameBytes = ctx.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES
  const decoded = decodeFrame(frame, maxFrameBytes)
  if (!decoded.ok) return result(decoded.code, undefined, decoded.detail)
  const { envelope, body, tag } = decoded.frame
  const stepWindow =
    ctx.unwindowedKinds?.has(envelope.kind) === true
      ? Number.POSITIVE_INFINITY
      : (ctx.stepWindow ?? DEFAULT_STEP_WINDOW)
  const step = envelope.globalStep
  const replayKey = replayKeyOf(envelope)
  const inWindow = Math.abs(step - ctx.localStep) <= stepWindow

  // Out-of-window steps are derived without touching the cache, so junk steps cannot evict
  // the entries the honest traffic needs.
  // Every installed key whose value of this step is the frame's (PROTOCOL.md §8): one in
  // practice, two with probability 2^-31 per key pair, then the tag decides between them.
  const entries = ctx.generator.matching(step, envelope.patternValue, {
    cache: inWindow && Math.abs(step - ctx.localStep) <= CACHED_STEP_SPAN,
  })
  if (entries.length === 0) {
    return result('PATTERN_MISMATCH', envelope, `pattern value of step ${step} does not match`)
  }
  if (!entries.some((entry) => tagMatches(entry.tagKey, body, tag))) {
    return result('TAG_MISMATCH', envelope, 'tag does not match the body')
  }
  if (!inWindow) {
    // Late is not replay: a seq this node never accepted, arriving after its sender moved on,
    // is a retransmission (or a lag) at worst. Only a seq whose bit is set was seen: REPLAY.
    if (step < ctx.localStep && ctx.replayGuard.check(replayKey, envelope.seq) === 'seen') {
      return result('REPLAY', envelope, `seq ${envelope.seq} of step ${step} seen before`)
    }
    const skew = result(
      'STEP_SKEW',
      envelope,
      `step ${step} is outside ${ctx.localStep} ± ${stepWindow}`,
    )
    // A frame from the past may simply be late: the receiver's own backlog, or a slow path,
    // is no fault of its author, and gossipsub penalises the forwarder too. Ignore it, so
    // honest peers keep their score. A frame can never arrive before it was sent: a step far
    // ahead is its author's, rejected. A small skew ahead may be our own lag: ignored too.
    return step < ctx.localStep || step - ctx.localStep <= NEAR_SKEW_FACTOR * stepWindow + 1
      ? { ...skew, verdict: 'ignore' }
      : skew
  }
  const replay = ctx.replayGuard.check(replayKey, envelope.seq)
  if (replay === 'seen') return result('REPLAY', envelope, `seq ${envelope.seq} seen before`)
  if (replay === 'below-window') {
    // Too far behind the sender's newest seq to tell whether it was seen: dropped, since it
    // may be a copy, but not blamed (a fast honest sender's frame can arrive that late).
    return {
      ...result('REPLAY', envelope, `seq ${envelope.seq} is below the replay window`),
      verdict: 'ignore',
    }
  }
  if (ctx.expectedSender !== undefined && ctx.expectedSender !== envelope.senderId) {
    return result(
      'UNKNOWN_SENDER',
      envelope,
      `frame of ${envelope.senderId} published by ${ctx.expectedSender}`,
    )
  }
  ctx.replayGuard.record(replayKey, envelope.seq)
  return { verdict: 'accept', code: 'ACCEPTED', envelope, tag }
}

function result(code: VerdictCode, envelope?: Envelope, detail?: string): VerifyResult {
  const out: VerifyResult = { verdict: VERDICT_OF[code], code }
  if (envelope !== undefined) out.envelope = envelope
  if (detail !== undefined) out.detail = detail
  return out
}

/**
 * Sequence numbers run per sender and channel: data frames wait in the sender's batch queue
 * while control frames (heartbeats, step announcements) go out at once, so one counter would
 * put a queued data frame below the window of a later control frame.
 */
export function replayKeyOf(envelope: Pick<Envelope, 'senderId' | 'kind'>): string {
  return envelope.kind === 'data' ? envelope.senderId : `${envelope.senderId}#control`
}
