/** STEP_DIVERGENCE: a member whose heartbeat announces a step far from ours. */
import type { NodeIdentity } from '../../node/ports.js'
import type { AnomalySink } from '../anomaly-reporter.js'
import type { MemberSource } from '../sources.js'
import type { Detector } from './detector.js'

export interface StepDivergenceComponents {
  members: MemberSource
  identity: Pick<NodeIdentity, 'step'>
  sink: AnomalySink
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
        const { peerId, step, receivedAt } = event.detail
        const ours = identity.step
        if (Math.abs(step - ours) <= this.maxSteps) return
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
}
