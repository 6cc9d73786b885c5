/**
 * STEP_DIVERGENCE: a member whose heartbeat announces a step far from ours. A heartbeat that
 * arrives late (this node's own backlog after a pause, a slow path) carries the step of when
 * it was sent: as many steps behind as its age, by the sender's timestamp, explains are no
 * divergence. The timestamp only ever excuses; a step ahead of ours never is.
 */
import type { NodeIdentity } from '../../node/ports.js'
import type { AnomalySink } from '../anomaly-reporter.js'
import type { MemberSource } from '../sources.js'
import type { Detector } from './detector.js'

export interface StepDivergenceComponents {
  members: MemberSource
  identity: Pick<NodeIdentity, 'step'>
  sink: AnomalySink
  /** The mesh's step interval now (read live). */
  stepIntervalMs: () => number
}

export class StepDivergenceDetector implements Detector {
  private readonly components: StepDivergenceComponents
  private readonly maxSteps: number

  /** `maxSteps`: at least the far-skew bound, so honest lag at a boundary never counts. */
  constructor(components: StepDivergenceComponents, init: { maxSteps: number }) {
    this.components = components
    this.maxSteps = init.maxSteps
  }

  start(signal: AbortSignal): void {
    const { members, identity, sink } = this.components
    members.addEventListener(
      'members.heartbeat',
      (event) => {
        const { peerId, step, receivedAt, sentAt } = event.detail
        const ours = identity.step
        if (Math.abs(step - ours) <= this.maxSteps) return
        if (step < ours && ours - step - this.stepsOld(receivedAt - sentAt) <= this.maxSteps) return
        sink.record({
          kind: 'STEP_DIVERGENCE',
          peerId,
          step,
          detail: `announces step ${step}, ${step - ours > 0 ? '+' : ''}${step - ours} from the mesh step ${ours}`,
          at: receivedAt,
        })
      },
      { signal },
    )
  }

  /** Whole steps that passed while a frame `ageMs` old was on its way. */
  private stepsOld(ageMs: number): number {
    const interval = this.components.stepIntervalMs()
    return ageMs > 0 && interval > 0 ? Math.floor(ageMs / interval) : 0
  }
}
