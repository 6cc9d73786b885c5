/**
 * SPLIT_BRAIN: two principals active together. A mesh-level condition, nobody's attack:
 * isolated nodes that each elected themselves and then met (a healed partition, a mesh
 * forming) show it too, so nobody is blamed; a recent one halves the network health.
 */
import type { AnomalySink } from '../anomaly-reporter.js'
import type { RoleSource } from '../sources.js'
import type { Detector } from './detector.js'

export class SplitBrainDetector implements Detector {
  private readonly components: { roles: RoleSource; sink: AnomalySink; now: () => number }
  private last = -Infinity

  constructor(components: { roles: RoleSource; sink: AnomalySink; now: () => number }) {
    this.components = components
  }

  /** ms since the epoch of the last split brain, -Infinity if none. */
  get lastAt(): number {
    return this.last
  }

  start(signal: AbortSignal): void {
    const { roles, sink, now } = this.components
    roles.addEventListener(
      'roles.split-brain',
      (event) => {
        const { principals, terms, winner, overlapMs } = event.detail
        const at = now()
        this.last = at
        sink.record({
          kind: 'SPLIT_BRAIN',
          peerId: null,
          step: null,
          detail: `principals ${principals[0]} (term ${terms[0]}) and ${principals[1]} (term ${terms[1]}) active together for ${overlapMs} ms; ${winner} remains`,
          at,
        })
      },
      { signal },
    )
  }
}
