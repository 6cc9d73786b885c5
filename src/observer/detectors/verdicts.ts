/**
 * Verdict rates and frame anomalies: every frame's verdict updates the traffic figures, each
 * rejection becomes an anomaly against the peer that signed the gossip message, and every
 * signer's rate goes through the flood detector. The hot path: O(1) per frame.
 */
import type { FrameVerdictDetail } from '../../node/events.js'
import type { AnomalySink } from '../anomaly-reporter.js'
import { anomalyKindOfVerdict } from '../anomaly.js'
import type { VerdictSource } from '../sources.js'
import type { TrafficStats } from '../traffic.js'
import type { Detector } from './detector.js'
import type { FloodDetector } from './flood.js'

export interface VerdictDetectorComponents {
  verdicts: VerdictSource
  sink: AnomalySink
  traffic: TrafficStats
  flood: FloodDetector
}

export class VerdictDetector implements Detector {
  private readonly components: VerdictDetectorComponents

  constructor(components: VerdictDetectorComponents) {
    this.components = components
  }

  start(signal: AbortSignal): void {
    this.components.verdicts.addEventListener(
      'verdict',
      (event) => {
        this.onVerdict(event.detail)
      },
      { signal },
    )
  }

  onVerdict(detail: FrameVerdictDetail): void {
    const { traffic, sink, flood } = this.components
    const { from, result, at } = detail
    if (result.code === 'SELF') return
    const envelope = result.envelope
    if (result.verdict === 'accept' && envelope !== undefined) {
      const latency = Math.max(0, at - envelope.timestamp)
      traffic.accepted.add(at, latency)
      if (envelope.kind === 'data') traffic.data.add(at)
      if (from !== '')
        traffic.peers.record(from, result.code, at, {
          step: envelope.globalStep,
          latencyMs: latency,
          data: envelope.kind === 'data',
        })
    } else {
      if (result.verdict === 'reject') traffic.rejected.add(at)
      if (from !== '') traffic.peers.record(from, result.code, at)
    }
    if (result.code === 'PATTERN_MISMATCH' && result.verdict === 'reject')
      traffic.patternMismatches++
    if (from !== '') flood.check(from, at, envelope?.globalStep ?? null)
    const kind = anomalyKindOfVerdict(result.verdict, result.code)
    if (kind === undefined) return
    const claimed = envelope?.senderId
    const text = [
      result.detail ?? kind,
      claimed !== undefined && claimed !== from ? `frame claims sender ${claimed}` : undefined,
      `topic ${detail.topic}`,
    ]
      .filter((part) => part !== undefined)
      .join('; ')
    sink.record({
      kind,
      peerId: from === '' ? null : from,
      step: envelope?.globalStep ?? null,
      detail: text,
      at,
    })
  }
}
