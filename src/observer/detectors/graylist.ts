/**
 * Graylisted is not invisible (DESIGN §14): gossipsub drops a graylisted peer's messages
 * before our validator, so they are counted here instead, per peer (`droppedWhileGraylisted`),
 * as rejected in the health figures, and folded into the peer's last frame anomaly (the one
 * that got it graylisted), whose count keeps growing while it keeps sending. The messages are
 * never read; the anomaly reports carry on with the evidence that got the peer graylisted.
 */
import { bindGraylistDrops } from '../../net/graylist-drops.js'
import type { AnomalySink } from '../anomaly-reporter.js'
import type { TrafficStats } from '../traffic.js'
import type { Detector } from './detector.js'

export interface GraylistDetectorComponents {
  /** The gossipsub instance (a no-op for anything else). */
  pubsub: unknown
  traffic: TrafficStats
  sink: AnomalySink
  now: () => number
  /** Told of every drop (the anomaly reports keep reporting an offender that keeps sending). */
  onDrop?: (peerId: string, messages: number) => void
}

export class GraylistDetector implements Detector {
  private readonly components: GraylistDetectorComponents

  constructor(components: GraylistDetectorComponents) {
    this.components = components
  }

  start(signal: AbortSignal): void {
    const undo = bindGraylistDrops(this.components.pubsub, (peerId, messages) => {
      this.onDrop(peerId, messages)
    })
    signal.addEventListener('abort', undo, { once: true })
  }

  onDrop(peerId: string, messages: number): void {
    const { traffic, sink, now } = this.components
    const at = now()
    traffic.graylistDrop(peerId, messages, at)
    this.components.onDrop?.(peerId, messages)
    const kind = sink.lastFrameKind(peerId)
    if (kind === undefined) return // graylisted by gossipsub's own penalties: counted only
    sink.record({
      kind,
      peerId,
      step: null,
      detail: `${messages} gossip message(s) dropped unread while graylisted`,
      at,
      count: messages,
    })
  }
}
