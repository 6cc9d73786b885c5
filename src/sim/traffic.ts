/**
 * The scenario's honest traffic, the same for both drivers: every sender broadcasts `rate`
 * times a second, each at its own phase of the period, and the recorder learns who should get
 * each message (joined and on the same side of a partition when it was sent). Directed
 * messages (`traffic.to`, issue 14) would choose their receivers here.
 */
import type { SimulationDriver } from './driver.js'
import type { Recorder } from './recorder.js'
import type { Scenario } from './scenario.js'

export class Traffic {
  private readonly spec: Scenario['traffic']
  private readonly driver: SimulationDriver
  private readonly recorder: Recorder
  private sentCount = 0
  private inFlight_ = 0

  constructor(spec: Scenario['traffic'], driver: SimulationDriver, recorder: Recorder) {
    this.spec = spec
    this.driver = driver
    this.recorder = recorder
  }

  /** Broadcasts whose receipt is not back yet. */
  get inFlight(): number {
    return this.inFlight_
  }

  /**
   * Starts sending; returns the function that stops it. Phased: the mesh's load stays even
   * instead of arriving in one burst of every node at once.
   */
  start(): () => void {
    const timers: NodeJS.Timeout[] = []
    const stop = (): void => {
      for (const timer of timers.splice(0)) clearTimeout(timer)
    }
    const { rate } = this.spec
    if (rate <= 0) return stop
    const senders = this.driver.members().filter((m) => !m.observer)
    const periodMs = 1000 / rate
    senders.forEach(({ index, name }, i) => {
      const start = setTimeout(
        () => {
          this.send(index, name)
          timers.push(setInterval(() => this.send(index, name), periodMs))
        },
        (periodMs * i) / senders.length,
      )
      timers.push(start)
    })
    return stop
  }

  private send(sender: number, name: string): void {
    const { driver, recorder } = this
    if (!driver.isJoined(sender)) return
    const receivers = driver
      .members()
      .filter((m) => !m.observer && m.index !== sender)
      .map((m) => m.index)
      .filter((r) => driver.isJoined(r) && driver.reachable(sender, r))
    const { bytes } = this.spec
    const payload = `${name}:${this.sentCount++}:`.padEnd(bytes, 'a').slice(0, bytes)
    // Sent when broadcast() is called: a receiver killed after that is excused.
    const sentAt = Date.now()
    this.inFlight_++
    driver
      .broadcast(sender, payload)
      .then(
        (id) => recorder.messageSent(id, receivers, sentAt, sender),
        () => recorder.broadcastFailures++,
      )
      .finally(() => this.inFlight_--)
  }
}
