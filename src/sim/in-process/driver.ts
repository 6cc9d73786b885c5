/**
 * In-process driver: every member is a real node (membership, roles, verification) over
 * libp2p's memory transport, in this process; partitions go through one shared gater table.
 */
import { multiaddr } from '@multiformats/multiaddr'
import type { Logger } from 'pino'
import { mergeConfig } from '../../config/index.js'
import { PartitionTable } from '../../net/index.js'
import type {
  AdviceAction,
  AdviceOutcome,
  AttackerHandle,
  ObservationSink,
  SimulationDriver,
} from '../driver.js'
import { TIMELINE_ACTIONS, type Scenario, type TimelineAction } from '../scenario.js'
import { simBaseConfig } from '../sim-config.js'
import { createSimNode, type SimNode } from '../sim-node.js'
import { topologyEdges, type Edge } from '../topology.js'
import { conditionedMemory, type ConditionedMemoryFactory } from '../transport/index.js'
import { until } from '../wait.js'
import { adviceOutcomes, observeMember, reportAnomalies } from './observe.js'
import { shareSignatureChecks } from './shared-signature-checks.js'
import { SimMember } from './sim-member.js'

const ALL_ACTIONS: ReadonlySet<TimelineAction['action']> = new Set(TIMELINE_ACTIONS)

let runCounter = 0

export class InProcessDriver implements SimulationDriver {
  readonly mode = 'in-process'
  readonly actions = ALL_ACTIONS
  readonly sampleIntervalMs = 250
  readonly measuresRss = true
  private readonly scenario: Scenario
  private readonly logger: Logger | undefined
  private readonly partitions = new PartitionTable()
  private readonly list: SimMember[] = []
  private readonly attackers: SimNode[] = []
  private readonly issued: Array<{ id: string; issuer: number }> = []
  private readonly edges: Edge[]
  private readonly runId = `${process.pid}-${runCounter++}`
  /** Peer ids of the scenario's members: only their traffic counts. */
  private readonly honest = new Set<string>()
  private sink: ObservationSink | undefined
  /** Ends this run's share of signature checks (shared-signature-checks.ts). */
  private releaseChecks: (() => void) | undefined
  /**
   * One simulated network with latency, jitter and loss on every connection
   * (src/sim/transport) when the scenario asks for any; libp2p's memory transport otherwise.
   */
  private readonly network: ConditionedMemoryFactory | undefined

  constructor(scenario: Scenario, options: { logger?: Logger } = {}) {
    this.scenario = scenario
    this.logger = options.logger
    this.edges = topologyEdges(scenario.nodes.count, scenario.topology, scenario.seed)
    const { latencyMs, jitterMs, loss } = scenario.network
    this.network =
      latencyMs + jitterMs + loss > 0
        ? conditionedMemory({ conditions: { ...scenario.network }, seed: scenario.seed })
        : undefined
    const base = simBaseConfig(scenario)
    const { count, weights, observers = 0 } = scenario.nodes
    for (let i = 0; i < count + observers; i++) {
      const observer = i >= count
      const name = observer ? `obs${i - count}` : `n${i}`
      const config = mergeConfig(base, {
        listen: [`/memory/sim-${this.runId}-${name}`],
        weight: observer ? 0 : (weights?.[i] ?? count - i),
        observer,
      })
      this.list.push(
        new SimMember({
          index: i,
          name,
          config,
          partitions: this.partitions,
          ...(this.network !== undefined ? { libp2p: { transportFactory: this.network } } : {}),
          ...(this.logger !== undefined ? { logger: this.logger } : {}),
        }),
      )
    }
  }

  async start(): Promise<void> {
    this.releaseChecks ??= await shareSignatureChecks()
    // Start in small groups: each start costs a few ms of CPU, all at once would stall timers.
    for (let i = 0; i < this.list.length; i += 10) {
      await Promise.all(this.list.slice(i, i + 10).map(async (m) => await m.start()))
    }
    await this.dialTopology(this.list.map((m) => m.index))
    for (const member of this.list) member.joined = member.alive
  }

  /** Its members, nodes and all (tests look into them). */
  members(): readonly SimMember[] {
    return this.list
  }

  isAlive(node: number): boolean {
    return this.list[node]?.alive === true
  }

  isJoined(node: number): boolean {
    const member = this.list[node]
    return member !== undefined && member.alive && member.joined
  }

  reachable(a: number, b: number): boolean {
    return this.partitions.allowed(this.list[a]!.peerId, this.list[b]!.peerId)
  }

  async connectionCounts(): Promise<number[]> {
    return this.list.filter((m) => m.alive).map((m) => m.node!.connectedPeers().length)
  }

  async namedPrincipals(): Promise<Array<string | null>> {
    return this.list
      .filter((m) => !m.observer)
      .map((m) => (m.alive ? (m.node!.roles?.principal ?? null) : null))
  }

  principalsNamedAt(): number | undefined {
    let last: number | undefined
    for (const m of this.list) {
      if (m.observer || !m.alive) continue
      if (m.principalSince === undefined) return undefined
      last = Math.max(last ?? m.principalSince, m.principalSince)
    }
    return last
  }

  principalOf(node: number): string | null | undefined {
    const member = this.list[node]
    return member?.alive === true ? (member.node!.roles?.principal ?? null) : undefined
  }

  observe(sink: ObservationSink): void {
    this.sink = sink
    for (const m of this.list) this.honest.add(m.peerId)
    for (const member of this.list) observeMember(member, sink, this.honest)
  }

  sample(): void {
    for (const m of this.list) if (m.alive) this.sink?.step(m.index, m.node!.step)
  }

  async broadcast(node: number, payload: string): Promise<string> {
    const receipt = await this.list[node]!.node!.broadcast(Buffer.from(payload))
    return receipt.id
  }

  async send(node: number, to: string, payload: string): Promise<{ id: string; to: string }> {
    const result = await this.list[node]!.node!.send(to, Buffer.from(payload))
    return { id: result.id, to: result.to }
  }

  async kill(node: number): Promise<void> {
    await this.list[node]!.kill()
  }

  async restart(node: number): Promise<void> {
    const member = this.list[node]!
    await member.start()
    if (this.sink !== undefined) observeMember(member, this.sink, this.honest)
  }

  /**
   * Dials the member's topology edges, then waits (5 s at most) until a peer knows it
   * subscribes to the data topic: only then does it count as a receiver of the traffic.
   */
  async rejoin(node: number): Promise<void> {
    const member = this.list[node]!
    await this.dialTopology([node])
    const topic = member.node!.topics.data
    await until(
      () =>
        this.list.some(
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

  async partition(groups: number[][]): Promise<void> {
    this.partitions.partition(groups.map((group) => group.map((i) => this.list[i]!.peerId)))
    // The gater refuses new connections; the ones across the cut close now.
    await Promise.all(
      [
        ...this.list.filter((m) => m.alive).map((m) => m.node!.libp2p),
        ...this.attackers.map((a) => a.libp2p),
      ].map(async (libp2p) => {
        for (const conn of libp2p.getConnections()) {
          if (!this.partitions.allowed(libp2p.peerId.toString(), conn.remotePeer.toString())) {
            await conn.close().catch(() => undefined)
          }
        }
      }),
    )
  }

  async heal(): Promise<void> {
    this.partitions.heal()
    await this.dialTopology(this.list.map((m) => m.index))
  }

  setWeight(node: number, weight: number): void {
    this.list[node]?.node?.roles?.setWeight(weight)
  }

  /** Issues advice through a live member (any node relays it to the principal). */
  async issueAdvice(action: AdviceAction): Promise<void> {
    const issuer = this.list.find((m) => m.alive && !m.observer && m.node?.advice !== undefined)
    if (issuer === undefined) throw new Error('no live member runs the advice service')
    const advice = await issuer.node!.advice!.issue({
      type: action.type,
      target: action.target,
      payload: action.payload,
      ttlMs: (action.ttl ?? 60) * 1000,
    })
    this.issued.push({ id: advice.id, issuer: issuer.index })
  }

  async attacker(name: string): Promise<AttackerHandle> {
    const node = createSimNode({
      config: mergeConfig(simBaseConfig(this.scenario), {
        listen: [`/memory/sim-${this.runId}-${name}`],
        weight: 0,
      }),
      transport: 'memory',
      ...(this.network !== undefined ? { libp2p: { transportFactory: this.network } } : {}),
      membership: false,
    })
    await node.start()
    this.attackers.push(node)
    const targets = this.list
      .filter((m) => m.alive)
      .map((m) => multiaddr(m.node!.libp2p.getMultiaddrs()[0]!))
    return { node, targets }
  }

  async collect(sink: ObservationSink): Promise<AdviceOutcome[]> {
    reportAnomalies(this.list, sink)
    return adviceOutcomes(this.list, this.issued)
  }

  async stop(): Promise<void> {
    await Promise.all([
      ...this.attackers.splice(0).map(async (a) => await a.stop()),
      ...this.list.map(async (m) => await m.kill()),
    ])
    this.releaseChecks?.()
    this.releaseChecks = undefined
  }

  /** Dials the topology edges touching `nodes`, and connects observers to every member. */
  private async dialTopology(nodes: number[]): Promise<void> {
    const wanted = new Set(nodes)
    const count = this.scenario.nodes.count
    const pairs: Edge[] = this.edges.filter(([a, b]) => wanted.has(a) || wanted.has(b))
    for (const observer of this.list.filter((m) => m.observer)) {
      for (let i = 0; i < count; i++)
        if (wanted.has(i) || wanted.has(observer.index)) pairs.push([i, observer.index])
    }
    const dials = pairs.map(async ([a, b]) => await this.dial(this.list[a]!, this.list[b]!))
    for (let i = 0; i < dials.length; i += 50) await Promise.all(dials.slice(i, i + 50))
  }

  private async dial(from: SimMember, to: SimMember): Promise<void> {
    if (!from.alive || !to.alive || !this.partitions.allowed(from.peerId, to.peerId)) return
    await from
      .node!.libp2p.dial(to.node!.libp2p.getMultiaddrs()[0]!, { signal: AbortSignal.timeout(5000) })
      .catch(() => undefined)
  }
}
