/**
 * The scenario's honest traffic, the same for both drivers: every sender sends `rate` messages
 * a second, each at its own phase of the period, and the recorder learns who should get each
 * one. A broadcast: every member joined and on the same side of a partition when it was sent.
 * With `traffic.to`, a directed message: the one member it went to (a node named in the
 * scenario, or the one the sender's route picked), known from its acknowledgement.
 */
import type { SimulationDriver } from './driver.js'
import type { Recorder } from './recorder.js'
import type { Scenario } from './scenario.js'
import { parseTrafficTarget, type TrafficTarget } from './traffic-target.js'

export class Traffic {
  private readonly spec: Scenario['traffic']
  private readonly driver: SimulationDriver
  private readonly recorder: Recorder
  private readonly target: TrafficTarget | undefined
  private sentCount = 0
  private inFlight_ = 0

  constructor(spec: Scenario['traffic'], driver: SimulationDriver, recorder: Recorder) {
    this.spec = spec
    this.driver = driver
    this.recorder = recorder
    const count = driver.members().filter((m) => !m.observer).length
    this.target = spec.to === undefined ? undefined : parseTrafficTarget(spec.to, count)
  }

  /** Messages whose receipt (or acknowledgement) is not back yet. */
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
    if (this.target !== undefined) {
      this.sendDirected(sender, name, this.target)
      return
    }
    const receivers = driver
      .members()
      .filter((m) => !m.observer && m.index !== sender)
      .map((m) => m.index)
      .filter((r) => driver.isJoined(r) && driver.reachable(sender, r))
    const payload = this.payload(name)
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

  private payload(name: string): string {
    const { bytes } = this.spec
    return `${name}:${this.sentCount++}:`.padEnd(bytes, 'a').slice(0, bytes)
  }

  /** One directed message; its target is where its acknowledgement says it went. */
  private sendDirected(sender: number, name: string, target: TrafficTarget): void {
    const { driver, recorder } = this
    const members = driver.members()
    let to: string
    if (target.kind === 'node') {
      // A named node that is down or cut off cannot get it: not sent, as no broadcast is.
      if (!driver.isJoined(target.index) || !driver.reachable(sender, target.index)) return
      to = members[target.index]!.peerId
    } else to = target.to
    const payload = this.payload(name)
    const sentAt = Date.now()
    this.inFlight_++
    driver
      .send(sender, to, payload)
      .then(
        ({ id, to: peerId }) => {
          const receiver = members.find((m) => m.peerId === peerId)
          recorder.messageSent(
            id,
            receiver === undefined ? [] : [receiver.index],
            sentAt,
            sender,
            true,
          )
        },
        () => recorder.directFailures++,
      )
      .finally(() => this.inFlight_--)
  }
}
