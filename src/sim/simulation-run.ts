/**
 * One simulation run, whatever runs the mesh: form → traffic → timeline → settle → collect →
 * record. The driver (in-process or daemons) starts, faults and watches the members; this file
 * holds the scenario's logic once.
 */
import type { Logger } from 'pino'
import type { SimulationDriver } from './driver.js'
import type { RunRecord } from './expectations.js'
import { SETTLE_MAX_MS, formationTimeoutMs } from './formation.js'
import { Recorder } from './recorder.js'
import { ScenarioError, type Scenario } from './scenario.js'
import { simConfigLayer } from './sim-config.js'
import { TimelineActions } from './timeline-actions.js'
import { TimelinePlayer } from './timeline-player.js'
import { Traffic } from './traffic.js'
import { sleep, until } from './wait.js'

export interface RunHooks {
  /** A one-line summary of the run so far, every sample (a few times a second). */
  progress?: (line: string) => void
  logger?: Logger
}

export class SimulationRun {
  private readonly scenario: Scenario
  private readonly driver: SimulationDriver
  private readonly hooks: RunHooks
  private readonly recorder = new Recorder()
  /** When the scenario's timeline started (after formation): the progress line's 0 s. */
  private timelineStartAt = Date.now()
  private readonly stops: Array<() => void> = []
  private readonly actions: TimelineActions
  private readonly timeline: TimelinePlayer
  private readonly traffic: Traffic
  private peakRssBytes = 0

  constructor(scenario: Scenario, driver: SimulationDriver, hooks: RunHooks = {}) {
    this.scenario = scenario
    this.driver = driver
    this.hooks = hooks
    scenario.timeline.forEach((action, i) => {
      if (!driver.actions.has(action.action)) {
        throw new ScenarioError(
          `scenario ${scenario.name}: timeline[${i}] "${action.action}" needs in-process mode (drop --processes)`,
        )
      }
    })
    this.actions = new TimelineActions({
      scenario,
      driver,
      recorder: this.recorder,
      onStop: (stop) => this.stops.push(stop),
    })
    this.traffic = new Traffic(scenario.traffic, driver, this.recorder)
    this.timeline = new TimelinePlayer(
      async (action) => await this.actions.apply(action),
      (err, action) => this.hooks.logger?.warn({ err, action }, 'timeline action failed'),
    )
  }

  async run(): Promise<RunRecord> {
    const formStarted = Date.now()
    try {
      const formedAt = await this.form()
      const formMs = formedAt - formStarted
      const connectionsFormed = await this.driver.connectionCounts()
      this.timelineStartAt = Date.now()
      this.watch()
      this.stops.push(this.traffic.start())
      this.timeline.start(this.scenario.timeline)
      await sleep(this.scenario.duration * 1000)
      await this.timeline.settle()
      for (const stop of this.stops.splice(0)) stop()
      const endAt = Date.now()
      // Let the last messages land (bounded) before the figures are taken.
      await until(
        () =>
          this.traffic.inFlight === 0 &&
          this.recorder.undelivered((node) => !this.driver.isAlive(node)) === 0,
        SETTLE_MAX_MS,
      ).catch(() => undefined)
      const advice = [...this.actions.adviceFailures, ...(await this.driver.collect(this.sink()))]
      const connectionsEnd = await this.driver.connectionCounts()
      return {
        recorder: this.recorder,
        members: this.driver.members().map(({ index, peerId, observer }) => ({
          index,
          peerId,
          observer,
        })),
        attacks: this.actions.attacks,
        life: this.actions.life,
        endAt,
        formMs,
        connections: { formed: connectionsFormed, end: connectionsEnd },
        timelineStartAt: this.timelineStartAt,
        directed: this.scenario.traffic.to !== undefined,
        ...(this.driver.measuresRss ? { peakRssBytes: this.peakRssBytes } : {}),
        advice,
      }
    } finally {
      for (const stop of this.stops.splice(0)) stop()
      this.timeline.stop()
      await this.driver.stop()
    }
  }

  /**
   * Starts the members and waits until every voter names one principal; returns when that
   * happened (the members' own events where the driver has them).
   */
  private async form(): Promise<number> {
    await this.driver.start()
    const timeoutMs = formationTimeoutMs(simConfigLayer(this.scenario).heartbeatIntervalMs ?? 250)
    const formed = await until(
      async () => {
        const named = await this.driver.namedPrincipals()
        return named.length > 0 && named.every((p) => p !== null && p === named[0])
      },
      timeoutMs,
      50,
    ).then(
      () => true,
      () => false,
    )
    if (!formed) throw new Error(`the mesh did not form within ${timeoutMs} ms`)
    const now = Date.now()
    return Math.min(now, this.driver.principalsNamedAt?.() ?? now)
  }

  private sink(): Parameters<SimulationDriver['observe']>[0] {
    const recorder = this.recorder
    return {
      step: (node, step) => recorder.step(node, step),
      principal: (node, principal, at) => recorder.principal(node, principal, at),
      message: (id, node, latencyMs, at) => recorder.messageReceived(id, node, latencyMs, at),
      detection: (detection) => recorder.detection(detection),
    }
  }

  /** Records what every member sees; samples steps and prints progress. */
  private watch(): void {
    this.driver.observe(this.sink())
    const sampler = setInterval(() => {
      this.driver.sample()
      if (this.driver.measuresRss)
        this.peakRssBytes = Math.max(this.peakRssBytes, process.memoryUsage.rss())
      this.hooks.progress?.(this.progressLine())
    }, this.driver.sampleIntervalMs)
    this.stops.push(() => clearInterval(sampler))
  }

  private progressLine(): string {
    const elapsed = (Date.now() - this.timelineStartAt) / 1000
    const members = this.driver.members()
    const alive = members.filter((m) => !m.observer && this.driver.isAlive(m.index)).length
    const principal = this.actions.currentPrincipal()
    const name = members.find((m) => principal !== null && m.peerId === principal)?.name ?? '-'
    return (
      `[${this.scenario.name}] ${elapsed.toFixed(1)}s  nodes ${alive}/${this.scenario.nodes.count}  principal ${name}  ` +
      `sent ${this.recorder.messagesSent()}  rejected ${this.recorder.detections.length}`
    )
  }
}
