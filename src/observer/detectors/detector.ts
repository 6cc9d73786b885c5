/** A detector listens from `start(signal)` until the signal aborts, and feeds the reporter. */
export interface Detector {
  start(signal: AbortSignal): void
}
