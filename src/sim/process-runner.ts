/**
 * Process mode: every member is a real `patternmesh start` daemon over TCP on 127.0.0.1,
 * watched through its control API; attackers are libp2p nodes of this process dialing them.
 * Partitions need a shared connection gater and are refused here (use in-process mode).
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import {
  DEFAULT_CONFIG,
  envNameOf,
  mergeConfig,
  validateConfigLayer,
  type MeshConfig,
} from '../config/index.js'
import { MeshPeer as MeshNode } from '../peer/mesh-peer.js'
import { PatternGenerator } from '../pattern/index.js'
import { DaemonProcess } from '../process/daemon-process.js'
import { freePort } from '../util/free-port.js'
import { startAttack } from './attackers/attackers.js'
import type { RunRecord } from './expectations.js'
import { SETTLE_MAX_MS, formationTimeoutMs } from './formation.js'
import type { RunHooks } from './in-process-runner.js'
import { Recorder } from './recorder.js'
import { ScenarioError, type NodeRef, type Scenario, type TimelineAction } from './scenario.js'
import { TimelinePlayer } from './timeline-player.js'
import type { LifeEvent } from './timeline-state.js'
import { topologyEdges } from './topology.js'

interface Status {
  principal: string | null
  step: number
}

/** Timeline actions process mode can play. */
const SUPPORTED = new Set(['kill', 'restart', 'attack'])

export class ProcessSimulation {
  private readonly scenario: Scenario
  private readonly hooks: RunHooks
  private readonly recorder = new Recorder()
  /** When the scenario's timeline started (after formation): the progress line's 0 s. */
  private timelineStartAt = Date.now()
  private readonly daemons: DaemonProcess[] = []
  private readonly observers = new Set<number>()
  private readonly principalOf = new Map<number, string | null>()
  private readonly streams = new Map<number, () => void>()
  private readonly attackers: MeshNode[] = []
  private readonly stops: Array<() => void> = []
  private readonly timeline = new TimelinePlayer(
    async (action) => await this.apply(action),
    (err) => this.hooks.logger?.warn({ err }, 'timeline action failed'),
  )
  private readonly life: LifeEvent[] = []
  private readonly attacks: RunRecord['attacks'] = []
  private readonly killed: number[] = []
  /** Daemons up and ready (a restarting one joins once its API answers and it has subscribed). */
  private readonly alive = new Set<number>()
  private readonly seed: string
  private dir = ''
  private sent = 0
  /** Broadcasts posted whose answer is not back yet. */
  private posting = 0

  constructor(scenario: Scenario, hooks: RunHooks = {}) {
    this.scenario = scenario
    this.hooks = hooks
    this.seed = `sim-${scenario.name}-${scenario.seed}`
    scenario.timeline.forEach((action, i) => {
      if (!SUPPORTED.has(action.action)) {
        throw new ScenarioError(
          `scenario ${scenario.name}: timeline[${i}] "${action.action}" needs in-process mode (drop --processes)`,
        )
      }
    })
  }

  async run(): Promise<RunRecord> {
    const formStarted = Date.now()
    this.dir = await mkdtemp(join(tmpdir(), `pm-sim-${this.scenario.name}-`))
    try {
      await this.form()
      const formMs = Date.now() - formStarted
      this.timelineStartAt = Date.now()
      this.watch()
      this.startTraffic()
      this.timeline.start(this.scenario.timeline)
      await new Promise((resolve) => setTimeout(resolve, this.scenario.duration * 1000))
      await this.timeline.settle()
      for (const stop of this.stops.splice(0)) stop()
      const endAt = Date.now()
      // Let the last messages land (bounded) before the figures are taken.
      const settleBy = Date.now() + SETTLE_MAX_MS
      while (
        (this.posting > 0 || this.recorder.undelivered((node) => !this.alive.has(node)) > 0) &&
        Date.now() < settleBy
      )
        await new Promise((resolve) => setTimeout(resolve, 25))
      return {
        recorder: this.recorder,
        members: this.daemons.map((d, index) => ({
          index,
          peerId: d.peerId,
          observer: this.observers.has(index),
        })),
        attacks: this.attacks,
        life: this.life,
        endAt,
        formMs,
        timelineStartAt: this.timelineStartAt,
        advice: [],
      }
    } finally {
      await this.teardown()
    }
  }

  /** The scenario's config over the simulation timings (fast heartbeats). */
  private config(): Partial<MeshConfig> {
    const overrides = validateConfigLayer(
      this.scenario.config,
      `scenario ${this.scenario.name}: config`,
    )
    return { heartbeatIntervalMs: 250, suspectAfter: 2, deadAfter: 4, ...overrides }
  }

  private heartbeatIntervalMs(): number {
    return this.config().heartbeatIntervalMs ?? 250
  }

  private env(): Record<string, string> {
    const config = this.config()
    const env: Record<string, string> = {
      PATTERNMESH_SEED: this.seed,
      PATTERNMESH_MESH_ID: `sim-${this.scenario.name}`,
      PATTERNMESH_LOG_LEVEL: 'info',
    }
    for (const [key, value] of Object.entries(config)) {
      env[envNameOf(key)] = Array.isArray(value) ? value.join(',') : String(value)
    }
    return env
  }

  private async form(): Promise<void> {
    const { count, weights, observers = 0 } = this.scenario.nodes
    const total = count + observers
    const ports = await Promise.all(Array.from({ length: total }, freePort))
    const addr = (i: number): string => `/ip4/127.0.0.1/tcp/${ports[i]!}`
    const neighbours = new Map<number, Set<number>>()
    for (const [a, b] of topologyEdges(count, this.scenario.topology, this.scenario.seed)) {
      if (!neighbours.has(a)) neighbours.set(a, new Set())
      if (!neighbours.has(b)) neighbours.set(b, new Set())
      neighbours.get(a)!.add(b)
      neighbours.get(b)!.add(a)
    }
    const env = this.env()
    for (let i = 0; i < total; i++) {
      const observer = i >= count
      if (observer) this.observers.add(i)
      const peers = observer
        ? Array.from({ length: count }, (_, j) => j)
        : [...(neighbours.get(i) ?? [])]
      const args = [
        '--listen',
        addr(i),
        '--weight',
        String(observer ? 0 : (weights?.[i] ?? count - i)),
        ...(observer ? ['--observer'] : []),
        ...peers.flatMap((j) => ['--bootstrap', addr(j)]),
      ]
      this.daemons.push(new DaemonProcess(join(this.dir, `n${i}`), args, env))
    }
    await Promise.all(this.daemons.map(async (d) => await d.start(30_000)))
    this.daemons.forEach((_, i) => this.alive.add(i))
    const voters = this.daemons.filter((_, i) => !this.observers.has(i))
    const formWithinMs = formationTimeoutMs(this.heartbeatIntervalMs())
    const deadline = Date.now() + formWithinMs
    for (;;) {
      const named = new Set(
        await Promise.all(voters.map(async (d) => (await d.get<Status>('/v1/status')).principal)),
      )
      if (named.size === 1 && !named.has(null)) break
      if (Date.now() > deadline)
        throw new Error(`the daemons did not elect a principal within ${formWithinMs} ms`)
      await new Promise((resolve) => setTimeout(resolve, 50))
    }
  }

  private watch(): void {
    this.daemons.forEach((_, i) => {
      void this.subscribe(i)
    })
    const poller = setInterval(() => {
      this.daemons.forEach((daemon, i) => {
        if (daemon.exitCode !== undefined) return
        daemon.get<Status>('/v1/status').then(
          (status) => {
            this.recorder.step(i, status.step)
            if (this.principalOf.get(i) !== status.principal) {
              this.principalOf.set(i, status.principal)
              this.recorder.principal(i, status.principal)
            }
          },
          () => undefined,
        )
      })
      this.hooks.progress?.(
        `[${this.scenario.name}] ${((Date.now() - this.timelineStartAt) / 1000).toFixed(1)}s  daemons ${
          this.daemons.filter((d) => d.exitCode === undefined).length
        }/${this.daemons.length}  sent ${this.recorder.messagesSent()}  rejected ${this.recorder.detections.length}`,
      )
    }, 100)
    this.stops.push(() => clearInterval(poller))
  }

  /** The daemon's event stream: deliveries and rejected frames. */
  private async subscribe(i: number): Promise<void> {
    const daemon = this.daemons[i]!
    const stream = await daemon
      .events('message,rejected,role', (frame) => {
        if (frame['type'] === 'role') {
          // The daemon's own time of the change: exact, where polling would add its period.
          const principal = typeof frame['principal'] === 'string' ? frame['principal'] : null
          if (this.principalOf.get(i) !== principal) {
            this.principalOf.set(i, principal)
            this.recorder.principal(i, principal, Number(frame['at']))
          }
          return
        }
        if (frame['type'] === 'message') {
          if (!this.observers.has(i)) {
            this.recorder.messageReceived(String(frame['id']), i, undefined, Number(frame['at']))
          }
        } else if (frame['type'] === 'rejected' && frame['verdict'] === 'reject') {
          this.recorder.detection({
            at: Number(frame['at']),
            by: `${i}`,
            kind: String(frame['code']),
            peerId: String(frame['peerId']),
          })
        }
      })
      .catch(() => undefined)
    if (stream !== undefined) this.streams.set(i, stream.close)
  }

  private startTraffic(): void {
    const { rate, bytes } = this.scenario.traffic
    if (rate <= 0) return
    const timer = setInterval(() => {
      this.daemons.forEach((daemon, i) => {
        if (this.observers.has(i) || !this.alive.has(i)) return
        const receivers = [...this.alive].filter((j) => j !== i && !this.observers.has(j))
        const data = `n${i}:${this.sent++}:`.padEnd(bytes, 'a')
        const sentAt = Date.now()
        this.posting++
        daemon
          .post<{ id: string }>('/v1/messages', { data })
          .then(
            (response) => {
              if (response.status === 202)
                this.recorder.messageSent(response.body.id, receivers, sentAt, i)
              else this.recorder.broadcastFailures++
            },
            () => this.recorder.broadcastFailures++,
          )
          .finally(() => this.posting--)
      })
    }, 1000 / rate)
    this.stops.push(() => clearInterval(timer))
  }

  private async apply(action: TimelineAction): Promise<void> {
    if (action.action === 'kill') {
      const index = await this.resolve(action.node)
      const daemon = index === undefined ? undefined : this.daemons[index]
      if (daemon === undefined || daemon.exitCode !== undefined) return
      if (this.principalOf.get(index!) === daemon.peerId || action.node === 'principal') {
        this.recorder.principalKills.push({ at: Date.now(), victim: daemon.peerId })
      }
      this.recorder.mark('kill', `SIGKILL n${index}`)
      this.life.push({ at: Date.now(), node: index!, alive: false })
      this.killed.push(index!)
      this.alive.delete(index!)
      this.streams.get(index!)?.()
      await daemon.signal('SIGKILL')
    } else if (action.action === 'restart') {
      const index = action.node === 'killed' ? this.killed.pop() : action.node
      const daemon = index === undefined ? undefined : this.daemons[index]
      if (daemon === undefined || daemon.exitCode === undefined) return
      this.recorder.mark('restart', `restart n${index}`)
      await daemon.start(30_000)
      await this.subscribe(index!)
      // Counted as a receiver once its join sync is over (it has gossip peers again).
      const ready = Date.now() + 15_000
      while (
        Date.now() < ready &&
        (await fetch(`${daemon.apiUrl}/ready`).then(
          (r) => r.status,
          () => 0,
        )) !== 200
      ) {
        await new Promise((resolve) => setTimeout(resolve, 50))
      }
      this.life.push({ at: Date.now(), node: index!, alive: true })
      this.alive.add(index!)
    } else if (action.action === 'attack') {
      await this.launchAttack(action)
    }
  }

  private async launchAttack(action: Extract<TimelineAction, { action: 'attack' }>): Promise<void> {
    const config = mergeConfig(DEFAULT_CONFIG, {
      seed: this.seed,
      meshId: `sim-${this.scenario.name}`,
      dataDir: '/nonexistent',
      listen: ['/ip4/127.0.0.1/tcp/0'],
      mdns: false,
      weight: 0,
    })
    const node = new MeshNode({ config, transport: 'tcp', services: { membership: false } })
    await node.start()
    this.attackers.push(node)
    await Promise.all(
      this.daemons
        .filter((d) => d.exitCode === undefined)
        .map(
          async (d) =>
            await node.libp2p
              .dial((await import('@multiformats/multiaddr')).multiaddr(d.listen[0]!))
              .catch(() => undefined),
        ),
    )
    const deadline = Date.now() + 5000
    while (
      node.libp2p.services.pubsub.getSubscribers(node.topics.data).length === 0 &&
      Date.now() < deadline
    ) {
      await new Promise((resolve) => setTimeout(resolve, 25))
    }
    this.recorder.mark('attack', `${action.attacker} ${node.peerId.slice(-6)}`)
    this.attacks.push({ kind: action.attacker, peerId: node.peerId, at: Date.now() })
    this.stops.push(
      startAttack(action.attacker, {
        node,
        meshGenerator: new PatternGenerator({
          seed: this.seed,
          phaseResetInterval: config.phaseResetInterval,
        }),
        rate: action.rate ?? 5,
        durationMs: (action.duration ?? 3) * 1000,
      }),
    )
  }

  private async resolve(ref: NodeRef): Promise<number | undefined> {
    if (ref !== 'principal') return ref
    const votes = new Map<string, number>()
    for (const [i, p] of this.principalOf)
      if (!this.observers.has(i) && p !== null) votes.set(p, (votes.get(p) ?? 0) + 1)
    const principal = [...votes.entries()].sort((a, b) => b[1] - a[1])[0]?.[0]
    const index = this.daemons.findIndex((d) => d.peerId === principal)
    return index < 0 ? undefined : index
  }

  private async teardown(): Promise<void> {
    for (const stop of this.stops.splice(0)) stop()
    this.timeline.stop()
    for (const close of this.streams.values()) close()
    await Promise.all([
      ...this.attackers.map(async (a) => await a.stop()),
      ...this.daemons.map(async (d) => await d.stop()),
    ])
    if (this.dir !== '') await rm(this.dir, { recursive: true, force: true })
  }
}
