/** MEMBER_FLAPPING: the member table saw a member change status too often. */
import type { AnomalySink } from '../anomaly-reporter.js'
import type { MemberSource } from '../sources.js'
import type { Detector } from './detector.js'

export class FlappingDetector implements Detector {
  private readonly components: { members: MemberSource; sink: AnomalySink; now: () => number }

  constructor(components: { members: MemberSource; sink: AnomalySink; now: () => number }) {
    this.components = components
  }

  start(signal: AbortSignal): void {
    const { members, sink, now } = this.components
    members.addEventListener(
      'members.flapping',
      (event) => {
        const { peerId, changes, windowMs } = event.detail
        sink.record({
          kind: 'MEMBER_FLAPPING',
          peerId,
          step: null,
          detail: `${changes} status changes within ${windowMs} ms`,
          at: now(),
        })
      },
      { signal },
    )
  }
}
