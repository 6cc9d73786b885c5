/**
 * The receive side after the common checks: one gossip message's frames each go to their
 * consumer (data to `message` listeners, control frames to the handler of their kind, step
 * announcements to the step sync), every frame's verdict is published, and the handlers'
 * verdicts become the message's (a payload its handler refuses is neither delivered nor
 * forwarded).
 */
import { TopicValidatorResult } from '@libp2p/gossipsub'
import type { Verdict, VerdictCode, VerifyResult } from '../protocol/index.js'
import { ControlDispatch } from './control-dispatch.js'
import type { FrameVerdictDetail, MeshMessage } from './events.js'
import type { ReceivePipeline } from './receive-pipeline.js'
import type { DataTap, DeliveryPort } from './ports.js'
import type { ReceivedGossip } from './types.js'

export interface FrameRouterComponents {
  pipeline: ReceivePipeline
  /** A peer's step as its announcement or heartbeat showed it. */
  recordStep: (peerId: string, step: number) => void
  emit: <K extends 'verdict' | 'message'>(type: K, detail: RouterEvents[K]) => void
  /** Gets the verify time (seconds) of one message in 64 (the /metrics histogram). */
  verifyTiming?: ((seconds: number) => void) | undefined
}

/** One message in 64 is timed: two clock reads per 64 messages leave the hot path as it was. */
const VERIFY_SAMPLE_MASK = 63

interface RouterEvents {
  verdict: FrameVerdictDetail
  message: MeshMessage
}

const RESULT_OF: Readonly<Record<Verdict, TopicValidatorResult>> = {
  accept: TopicValidatorResult.Accept,
  ignore: TopicValidatorResult.Ignore,
  reject: TopicValidatorResult.Reject,
}

export class FrameRouter implements DeliveryPort {
  private readonly c: FrameRouterComponents
  /** The control handlers, one per kind (MeshNode.handleControl registers them). */
  readonly dispatch = new ControlDispatch()
  private readonly verdictCounts: Partial<Record<VerdictCode, number>> = {}
  private delivered_ = 0
  private received = 0
  /** The delivery service's tap (retention, dedup); without one every accepted frame is new. */
  private tap: DataTap | undefined

  constructor(components: FrameRouterComponents) {
    this.c = components
  }

  get delivered(): number {
    return this.delivered_
  }

  verdicts(): Partial<Record<VerdictCode, number>> {
    return { ...this.verdictCounts }
  }

  receive(message: ReceivedGossip): TopicValidatorResult {
    const timing = this.c.verifyTiming
    const timed = timing !== undefined && (++this.received & VERIFY_SAMPLE_MASK) === 0
    const started = timed ? performance.now() : 0
    const outcome = this.c.pipeline.validate(message.topic, message.from, message.data)
    if (timed) timing((performance.now() - started) / 1000)
    const at = Date.now()
    let verdict = outcome.verdict
    let accepted = 0
    for (const [index, checked] of outcome.frames.entries()) {
      const result = this.route(checked, message, at, outcome.raw?.[index])
      if (result.verdict === 'reject') verdict = 'reject'
      if (result.verdict === 'accept') accepted++
      this.verdictCounts[result.code] = (this.verdictCounts[result.code] ?? 0) + 1
      const { topic, from, gossip } = message
      this.c.emit('verdict', {
        topic,
        from,
        result,
        at,
        ...(gossip !== undefined ? { gossip } : {}),
      })
    }
    // A control frame its handler dropped is not forwarded either.
    if (verdict === 'accept' && accepted === 0 && outcome.frames.length > 0) verdict = 'ignore'
    return RESULT_OF[verdict]
  }

  tapData(tap: DataTap, options: { signal: AbortSignal }): void {
    this.tap = tap
    options.signal.addEventListener('abort', () => {
      if (this.tap === tap) this.tap = undefined
    })
  }

  /** Our own sealed data frames, for the tap to keep. */
  sealed(frames: ReadonlyArray<{ seq: number; frame: Uint8Array }>): void {
    this.tap?.sealed(frames)
  }

  verifyRepaired(frame: Uint8Array, maxAgeSteps: number): VerifyResult {
    return this.c.pipeline.verifyRepaired(frame, maxAgeSteps)
  }

  deliverRepaired(result: VerifyResult, frame: Uint8Array, from: string, topic: string): void {
    const at = Date.now()
    this.verdictCounts[result.code] = (this.verdictCounts[result.code] ?? 0) + 1
    this.c.emit('verdict', { topic, from, result, at })
    if (result.verdict === 'accept') this.route(result, { topic, from, data: frame }, at, frame)
  }

  private route(
    checked: VerifyResult,
    message: ReceivedGossip,
    at: number,
    frame: Uint8Array | undefined,
  ): VerifyResult {
    const envelope = checked.envelope
    if (checked.verdict !== 'accept' || envelope === undefined) return checked
    const tag = checked.tag
    const id = tag === undefined ? '' : Buffer.from(tag).toString('hex')
    const delivered: MeshMessage = { id, envelope, from: message.from, receivedAt: at }
    if (envelope.kind === 'data') {
      // A frame both gossiped and repaired is delivered once: the tap decides (DESIGN §15).
      const fresh =
        this.tap === undefined || frame === undefined || tag === undefined
          ? true
          : this.tap.accepted({ envelope, frame, tag })
      if (fresh) {
        this.delivered_++
        this.c.emit('message', delivered)
      }
      return checked
    }
    if (envelope.kind === 'step-sync' || envelope.kind === 'heartbeat') {
      this.c.recordStep(envelope.senderId, envelope.globalStep)
    }
    if (envelope.kind === 'step-sync') return checked
    const gossip = message.gossip
    const answer = this.dispatch.dispatch({
      ...delivered,
      ...(gossip !== undefined ? { gossip } : {}),
    })
    return answer.verdict === 'accept' ? checked : { ...checked, ...answer }
  }
}
