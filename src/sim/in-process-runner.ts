/**
 * In-process simulation: every member is a real MeshNode (membership, roles, verification)
 * over libp2p's memory transport, in one process. Faults and attacks follow the timeline.
 */
import type { Logger } from 'pino'
import {
  DEFAULT_CONFIG,
  mergeConfig,
  validateConfigLayer,
  type MeshConfig,
} from '../config/index.js'
import { PartitionTable } from '../net/index.js'
import type { MeshPeer as MeshNode } from '../peer/mesh-peer.js'
import { PatternGenerator } from '../pattern/index.js'
import { startAttack } from './attackers/attackers.js'
import { SETTLE_MAX_MS, formationTimeoutMs } from './formation.js'
import { conditionedMemory, type ConditionedMemoryFactory } from './transport/index.js'
import type { RunRecord } from './expectations.js'
import { Recorder } from './recorder.js'
import type { NodeRef, Scenario, TimelineAction } from './scenario.js'
import { SimMember } from './sim-member.js'
import { TimelinePlayer } from './timeline-player.js'
import type { LifeEvent } from './timeline-state.js'
import { topologyEdges, type Edge } from './topology.js'

export interface RunHooks {
  /** A one-line summary of the run so far, every half second. */
  progress?: (line: string) => void
  logger?: Logger
}

let runCounter = 0

export class InProcessSimulation {
  private readonly scenario: Scenario
  private readonly hooks: RunHooks
  private readonly recorder = new Recorder()
  /** When the scenario's timeline started (after formation): the progress line's 0 s. */
  private timelineStartAt = Date.now()
  private readonly partitions = new PartitionTable()
  private readonly members: SimMember[] = []
  private readonly attackers: MeshNode[] = []
  private readonly stops: Array<() => void> = []
  private readonly timeline = new TimelinePlayer(
    async (action) => await this.apply(action),
    (err, action) => this.hooks.logger?.warn({ err, action }, 'timeline action failed'),
  )
  private readonly life: LifeEvent[] = []
  private readonly attacks: RunRecord['attacks'] = []
  private readonly advice: RunRecord['advice'] = []
  private readonly killed: number[] = []
  private readonly issued: Array<{ id: string; issuer: number }> = []
  private readonly edges: Edge[]
  private readonly runId = `${process.pid}-${runCounter++}`
  private readonly meshSeed: string
  private readonly generator: PatternGenerator
  private sentCount = 0
  private peakRssBytes = 0
  /** Broadcasts whose receipt is not back yet. */
  private broadcasting = 0
  /**
   * One simulated network with latency, jitter and loss on every connection
   * (src/sim/transport) when the scenario asks for any; libp2p's memory transport otherwise.
   */
  private readonly network: ConditionedMemoryFactory | undefined
  private readonly honest = new Set<string>()

  constructor(scenario: Scenario, hooks: RunHooks = {}) {
    this.scenario = scenario
    this.hooks = hooks
    this.edges = topologyEdges(scenario.nodes.count, scenario.topology, scenario.seed)
    this.meshSeed = `sim-${scenario.name}-${scenario.seed}`
    const { latencyMs, jitterMs, loss } = scenario.network
    this.network =
      latencyMs + jitterMs + loss > 0
        ? conditionedMemory({ conditions: { ...scenario.network }, seed: scenario.seed })
        : undefined
    const config = this.baseConfig()
    this.generator = new PatternGenerator({
      seed: this.meshSeed,
      algorithm: config.algorithm,
      phaseResetInterval: config.phaseResetInterval,
    })
  }

  async run(): Promise<RunRecord> {
    const formStarted = Date.now()
    try {
      await this.form()
      const formMs = Date.now() - formStarted
      this.timelineStartAt = Date.now()
      this.watch()
      this.startTraffic()
      this.timeline.start(this.scenario.timeline)
      await this.waitFor(this.scenario.duration * 1000)
      await this.timeline.settle()
      for (const stop of this.stops.splice(0)) stop()
      const endAt = Date.now()
      // Let the last messages land (bounded) before the figures are taken.
      await this.until(
        () =>
          this.broadcasting === 0 &&
          this.recorder.undelivered((node) => !this.members[node]!.alive) === 0,
        SETTLE_MAX_MS,
        'messages in flight did not land',
      ).catch(() => undefined)
      this.collectAnomalies()
      await this.collectAdvice()
      return {
        recorder: this.recorder,
        members: this.members.map((m) => ({
          index: m.index,
          peerId: m.peerId,
          observer: m.observer,
        })),
        attacks: this.attacks,
        life: this.life,
        endAt,
        formMs,
        timelineStartAt: this.timelineStartAt,
        peakRssBytes: this.peakRssBytes,
        advice: this.advice,
      }
    } finally {
      await this.teardown()
    }
  }

  private baseConfig(): MeshConfig {
    const overrides = validateConfigLayer(
      this.scenario.config,
      `scenario ${this.scenario.name}: config`,
    )
    return mergeConfig(DEFAULT_CONFIG, {
      meshId: `sim-${this.scenario.name}`,
      seed: this.meshSeed,
      dataDir: '/nonexistent',
      mdns: false,
      heartbeatIntervalMs: 250,
      suspectAfter: 2,
      deadAfter: 4,
      stepIntervalMs: 1000,
      ...overrides,
      listen: [],
      bootstrap: [],
      keyFile: undefined,
    })
  }

  private async form(): Promise<void> {
    const base = this.baseConfig()
    const { count, weights, observers = 0 } = this.scenario.nodes
    for (let i = 0; i < count + observers; i++) {
      const observer = i >= count
      const name = observer ? `obs${i - count}` : `n${i}`
      const config = mergeConfig(base, {
        listen: [`/memory/sim-${this.runId}-${name}`],
        weight: observer ? 0 : (weights?.[i] ?? count - i),
        observer,
      })
      this.members.push(
        new SimMember({
          index: i,
          name,
          config,
          partitions: this.partitions,
          ...(this.network !== undefined ? { libp2p: { transportFactory: this.network } } : {}),
          ...(this.hooks.logger ? { logger: this.hooks.logger } : {}),
        }),
      )
    }
    // Start in small groups: each start costs a few ms of CPU, all at once would stall timers.
    for (let i = 0; i < this.members.length; i += 10) {
      await Promise.all(this.members.slice(i, i + 10).map(async (m) => await m.start()))
    }
    await this.dialTopology(this.members.map((m) => m.index))
    const voters = this.members.filter((m) => !m.observer)
    await this.until(
      () =>
        voters.every((m) => {
          const principal = m.node?.roles?.principal
          return (
            principal !== null &&
            principal !== undefined &&
            principal === voters[0]!.node?.roles?.principal
          )
        }),
      formationTimeoutMs(base.heartbeatIntervalMs),
    )
    for (const member of this.members) member.joined = member.alive
  }

  /**
   * Waits (5 s at most) until a peer knows `member` subscribes to the data topic, then counts
   * it as a receiver of the traffic.
   */
  private async untilJoined(member: SimMember): Promise<void> {
    const topic = member.node!.topics.data
    await this.until(
      () =>
        this.members.some(
          (m) =>
            m !== member &&
            m.alive &&
            m
              .node!.libp2p.services.pubsub.getSubscribers(topic)
              .some((id) => id.toString() === member.peerId),
        ),
      5000,
    ).catch(() => undefined)
    member.joined = member.alive
  }

  /** Dials the topology edges touching `nodes`, and connects observers to every member. */
  private async dialTopology(nodes: number[]): Promise<void> {
    const wanted = new Set(nodes)
    const count = this.scenario.nodes.count
    const pairs: Edge[] = this.edges.filter(([a, b]) => wanted.has(a) || wanted.has(b))
    for (const observer of this.members.filter((m) => m.observer)) {
      for (let i = 0; i < count; i++)
        if (wanted.has(i) || wanted.has(observer.index)) pairs.push([i, observer.index])
    }
    const dials = pairs.map(async ([a, b]) => await this.dial(this.members[a]!, this.members[b]!))
    for (let i = 0; i < dials.length; i += 50) await Promise.all(dials.slice(i, i + 50))
  }

  private async dial(from: SimMember, to: SimMember): Promise<void> {
    if (!from.alive || !to.alive || !this.partitions.allowed(from.peerId, to.peerId)) return
    await from
      .node!.libp2p.dial(to.node!.libp2p.getMultiaddrs()[0]!, { signal: AbortSignal.timeout(5000) })
      .catch(() => undefined)
  }

  /** Records messages, principals, steps and detections from every member. */
  private watch(): void {
    for (const m of this.members) this.honest.add(m.peerId)
    for (const member of this.members) this.watchMember(member)
    const sampler = setInterval(() => {
      for (const m of this.members) if (m.alive) this.recorder.step(m.index, m.node!.step)
      this.peakRssBytes = Math.max(this.peakRssBytes, process.memoryUsage.rss())
      this.hooks.progress?.(this.progressLine())
    }, 250)
    this.stops.push(() => clearInterval(sampler))
  }

  private watchMember(member: SimMember): void {
    const node = member.node
    if (node === undefined) return
    this.recorder.principal(member.index, node.roles?.principal ?? null)
    node.roles?.addEventListener('roles.principal-changed', (event) => {
      this.recorder.principal(member.index, event.detail.principal)
    })
    node.onMessage((message) => {
      // Only the scenario's own traffic counts; an attacker's valid frames (a flood) do not.
      if (!this.honest.has(message.envelope.senderId)) return
      if (member.observer) return
      this.recorder.messageReceived(
        message.id,
        member.index,
        Date.now() - message.envelope.timestamp,
      )
    })
    // The mesh's own view of attacks is its observer's anomalies (collected at the end); the
    // raw verdicts stand in only for a node without one.
    if (node.observer !== undefined) return
    node.addEventListener('verdict', (event) => {
      const { result, from, at } = event.detail
      if (result.verdict !== 'reject') return
      this.recorder.detection({ at, by: `${member.index}`, kind: result.code, peerId: from })
    })
  }

  /**
   * Every sender broadcasts `rate` times a second, each at its own phase of the period: the
   * mesh's load stays even instead of arriving in one burst of every node at once.
   */
  private startTraffic(): void {
    const { rate, bytes } = this.scenario.traffic
    if (rate <= 0) return
    const senders = this.members.filter((m) => !m.observer)
    const periodMs = 1000 / rate
    const send = (sender: SimMember): void => {
      if (!sender.alive || !sender.joined || !sender.node!.isStarted) return
      const receivers = senders
        .filter(
          (r) =>
            r !== sender && r.alive && r.joined && this.partitions.allowed(sender.peerId, r.peerId),
        )
        .map((r) => r.index)
      const payload = Buffer.alloc(bytes, 0x61)
      payload.write(`${sender.name}:${this.sentCount++}`)
      // Sent when broadcast() is called: a receiver killed after that is excused.
      const sentAt = Date.now()
      this.broadcasting++
      sender
        .node!.broadcast(payload)
        .then(
          (receipt) => this.recorder.messageSent(receipt.id, receivers, sentAt, sender.index),
          () => this.recorder.broadcastFailures++,
        )
        .finally(() => this.broadcasting--)
    }
    senders.forEach((sender, i) => {
      const start = setTimeout(
        () => {
          send(sender)
          const timer = setInterval(() => send(sender), periodMs)
          this.stops.push(() => clearInterval(timer))
        },
        (periodMs * i) / senders.length,
      )
      this.stops.push(() => clearTimeout(start))
    })
  }

  private async apply(action: TimelineAction): Promise<void> {
    switch (action.action) {
      case 'kill': {
        const member = this.resolve(action.node)
        if (member === undefined || !member.alive) return
        if (member.peerId === this.currentPrincipal())
          this.recorder.principalKills.push({ at: Date.now(), victim: member.peerId })
        this.recorder.mark('kill', `kill ${member.name}`)
        this.life.push({ at: Date.now(), node: member.index, alive: false })
        this.killed.push(member.index)
        await member.kill()
        return
      }
      case 'restart': {
        const index = action.node === 'killed' ? this.killed.pop() : action.node
        const member = index === undefined ? undefined : this.members[index]
        if (member === undefined || member.alive) return
        this.recorder.mark('restart', `restart ${member.name}`)
        await member.start()
        this.life.push({ at: Date.now(), node: member.index, alive: true })
        this.watchMember(member)
        await this.dialTopology([member.index])
        await this.untilJoined(member)
        return
      }
      case 'partition': {
        this.recorder.mark(
          'partition',
          `partition ${action.groups.map((g) => g.join(',')).join(' | ')}`,
        )
        this.partitions.partition(
          action.groups.map((group) => group.map((i) => this.members[i]!.peerId)),
        )
        await Promise.all(
          [
            ...this.members.filter((m) => m.alive).map((m) => m.node!.libp2p),
            ...this.attackers.map((a) => a.libp2p),
          ].map(async (libp2p) => {
            for (const conn of libp2p.getConnections()) {
              if (!this.partitions.allowed(libp2p.peerId.toString(), conn.remotePeer.toString())) {
                await conn.close().catch(() => undefined)
              }
            }
          }),
        )
        return
      }
      case 'heal':
        this.recorder.mark('heal', 'heal')
        this.partitions.heal()
        this.recorder.heals.push(Date.now())
        await this.dialTopology(this.members.map((m) => m.index))
        return
      case 'weight': {
        const member = this.resolve(action.node)
        this.recorder.mark('weight', `weight ${member?.name ?? '?'} → ${action.weight}`)
        member?.node?.roles?.setWeight(action.weight)
        return
      }
      case 'advice':
        this.recorder.mark('advice', `advice ${action.type} → ${action.target.join(',')}`)
        await this.issueAdvice(action)
        return
      case 'attack':
        await this.launchAttack(action)
        return
    }
  }

  private async launchAttack(action: Extract<TimelineAction, { action: 'attack' }>): Promise<void> {
    const { MeshPeer: MeshNode } = await import('../peer/mesh-peer.js')
    const name = `attacker-${action.attacker}-${this.attackers.length}`
    const node = new MeshNode({
      config: mergeConfig(this.baseConfig(), {
        listen: [`/memory/sim-${this.runId}-${name}`],
        weight: 0,
      }),
      transport: 'memory',
      ...(this.network !== undefined ? { libp2p: { transportFactory: this.network } } : {}),
      services: { membership: false },
    })
    await node.start()
    this.attackers.push(node)
    await Promise.all(
      this.members
        .filter((m) => m.alive)
        .map(
          async (m) =>
            await node.libp2p.dial(m.node!.libp2p.getMultiaddrs()[0]!).catch(() => undefined),
        ),
    )
    // Start once every live member (the observers above all) is known as a subscriber, so that
    // the first frames reach them; go anyway after 5 s with whoever is there.
    const live = this.members.filter((m) => m.alive).length
    await this.until(
      () => node.libp2p.services.pubsub.getSubscribers(node.topics.data).length >= live,
      5000,
    ).catch(() => undefined)
    this.recorder.mark('attack', `${action.attacker} ${node.peerId.slice(-6)}`)
    this.attacks.push({ kind: action.attacker, peerId: node.peerId, at: Date.now() })
    const stop = startAttack(action.attacker, {
      node,
      meshGenerator: this.generator,
      rate: action.rate ?? 5,
      durationMs: (action.duration ?? 3) * 1000,
    })
    this.stops.push(stop)
  }

  /** Issues advice through a live member (any node relays it to the principal). */
  private async issueAdvice(action: Extract<TimelineAction, { action: 'advice' }>): Promise<void> {
    const issuer = this.members.find((m) => m.alive && !m.observer && m.node?.advice !== undefined)
    if (issuer === undefined) {
      this.advice.push({
        id: `${action.type}@${action.at}`,
        targets: 1,
        accepted: 0,
        rejected: 1,
        reasons: ['no live member runs the advice service'],
      })
      return
    }
    try {
      const advice = await issuer.node!.advice!.issue({
        type: action.type,
        target: action.target,
        payload: action.payload,
        ttlMs: (action.ttl ?? 60) * 1000,
      })
      this.issued.push({ id: advice.id, issuer: issuer.index })
    } catch (err) {
      this.advice.push({
        id: `${action.type}@${action.at}`,
        targets: 1,
        accepted: 0,
        rejected: 1,
        reasons: [(err as Error).message],
      })
    }
  }

  /** Per-target results of every advice issued, as the issuer sees them at the end. */
  private async collectAdvice(): Promise<void> {
    for (const { id, issuer } of this.issued) {
      const member = this.members[issuer]
      const holder =
        member?.alive === true
          ? member
          : this.members.find((m) => m.alive && m.node?.advice?.get(id) !== undefined)
      const view = holder?.node?.advice?.get(id)
      if (view === undefined) {
        this.advice.push({
          id,
          targets: 1,
          accepted: 0,
          rejected: 1,
          reasons: ['the issuer no longer knows it'],
        })
        continue
      }
      const reasons = view.results
        .filter((r) => r.status !== 'accepted')
        .map(
          (r) =>
            `${r.target.slice(-6)}: ${r.status}${r.reason !== undefined ? ` (${r.reason})` : ''}`,
        )
      this.advice.push({
        id,
        targets: view.results.length,
        accepted: view.counts.accepted,
        rejected: view.counts.rejected,
        reasons,
      })
    }
  }

  /** The anomalies every live member's observer recorded, as detections. */
  private collectAnomalies(): void {
    for (const member of this.members) {
      for (const anomaly of member.node?.observer?.anomalies() ?? []) {
        if (anomaly.peerId === null) continue
        this.recorder.detection({
          at: anomaly.at,
          by: `${member.index}`,
          kind: anomaly.kind,
          peerId: anomaly.peerId,
          detail: anomaly.detail,
        })
      }
    }
  }

  private resolve(ref: NodeRef): SimMember | undefined {
    if (ref === 'principal') {
      const principal = this.currentPrincipal()
      return this.members.find((m) => m.peerId === principal)
    }
    return this.members[ref]
  }

  /** The principal most live voters name. */
  private currentPrincipal(): string | null {
    const votes = new Map<string, number>()
    for (const m of this.members) {
      const p = m.alive && !m.observer ? m.node!.roles?.principal : undefined
      if (p !== null && p !== undefined) votes.set(p, (votes.get(p) ?? 0) + 1)
    }
    return [...votes.entries()].sort((a, b) => b[1] - a[1])[0]?.[0] ?? null
  }

  private progressLine(): string {
    const elapsed = (Date.now() - this.timelineStartAt) / 1000
    const alive = this.members.filter((m) => m.alive && !m.observer).length
    const principal = this.members.find((m) => m.peerId === this.currentPrincipal())?.name ?? '-'
    return (
      `[${this.scenario.name}] ${elapsed.toFixed(1)}s  nodes ${alive}/${this.scenario.nodes.count}  principal ${principal}  ` +
      `sent ${this.recorder.messagesSent()}  rejected ${this.recorder.detections.length}`
    )
  }

  private async teardown(): Promise<void> {
    for (const stop of this.stops.splice(0)) stop()
    this.timeline.stop()
    await Promise.all([
      ...this.attackers.splice(0).map(async (a) => await a.stop()),
      ...this.members.map(async (m) => await m.kill()),
    ])
  }

  private async waitFor(ms: number): Promise<void> {
    await new Promise((resolve) => setTimeout(resolve, ms))
  }

  private async until(
    condition: () => boolean,
    timeoutMs: number,
    failure = 'the mesh did not form',
  ): Promise<void> {
    const deadline = Date.now() + timeoutMs
    while (!condition()) {
      if (Date.now() > deadline) throw new Error(`${failure} within ${timeoutMs} ms`)
      await this.waitFor(25)
    }
  }
}
