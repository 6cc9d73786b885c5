/**
 * Process driver: every member is a real `patternmesh start` daemon over TCP on 127.0.0.1,
 * watched through its control API; attackers are nodes of this process dialing them.
 * Partitions, weights and advice need the members in this process (use in-process mode).
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { multiaddr } from '@multiformats/multiaddr'
import { envNameOf, mergeConfig } from '../../config/index.js'
import { DaemonProcess } from '../../process/daemon-process.js'
import { freePort } from '../../util/free-port.js'
import type {
  AdviceOutcome,
  AttackerHandle,
  ObservationSink,
  SimMemberInfo,
  SimulationDriver,
} from '../driver.js'
import type { Scenario, TimelineAction } from '../scenario.js'
import { meshSeedOf, simBaseConfig, simConfigLayer } from '../sim-config.js'
import { createSimNode, type SimNode } from '../sim-node.js'
import { topologyEdges } from '../topology.js'
import { sleep, until } from '../wait.js'
import { eventHandler } from './events.js'

interface Status {
  principal: string | null
  step: number
}

const ACTIONS: ReadonlySet<TimelineAction['action']> = new Set(['kill', 'restart', 'attack'])
const START_TIMEOUT_MS = 30_000
/** A restarted daemon counts as a receiver once `/ready` (its join sync is over). */
const READY_TIMEOUT_MS = 15_000
/** One page of a daemon's message log, and the wait for its event stream's `hello`. */
const CATCH_UP_TIMEOUT_MS = 5_000

export class ProcessDriver implements SimulationDriver {
  readonly mode = 'processes'
  readonly actions = ACTIONS
  readonly sampleIntervalMs = 100
  readonly measuresRss = false
  private readonly scenario: Scenario
  private readonly daemons: DaemonProcess[] = []
  private readonly infos: SimMemberInfo[] = []
  /** The principal each daemon named last (events and polls). */
  private readonly principals = new Map<number, string | null>()
  private readonly streams = new Map<number, () => void>()
  private readonly attackers: SimNode[] = []
  /** Daemons up and ready (a restarting one joins once its API answers and it has subscribed). */
  private readonly alive = new Set<number>()
  private sink: ObservationSink | undefined
  private dir = ''

  constructor(scenario: Scenario) {
    this.scenario = scenario
    const { count, observers = 0 } = scenario.nodes
    for (let i = 0; i < count + observers; i++) {
      const observer = i >= count
      this.infos.push({
        index: i,
        name: observer ? `obs${i - count}` : `n${i}`,
        peerId: '',
        observer,
      })
    }
  }

  async start(): Promise<void> {
    this.dir = await mkdtemp(join(tmpdir(), `pm-sim-${this.scenario.name}-`))
    const { count, weights } = this.scenario.nodes
    const ports = await Promise.all(this.infos.map(freePort))
    const addr = (i: number): string => `/ip4/127.0.0.1/tcp/${ports[i]!}`
    const neighbours = new Map<number, Set<number>>()
    for (const [a, b] of topologyEdges(count, this.scenario.topology, this.scenario.seed)) {
      if (!neighbours.has(a)) neighbours.set(a, new Set())
      if (!neighbours.has(b)) neighbours.set(b, new Set())
      neighbours.get(a)!.add(b)
      neighbours.get(b)!.add(a)
    }
    const env = this.env()
    for (const { index: i, observer } of this.infos) {
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
    await Promise.all(this.daemons.map(async (d) => await d.start(START_TIMEOUT_MS)))
    this.daemons.forEach((d, i) => {
      this.infos[i]!.peerId = d.peerId
      this.alive.add(i)
    })
  }

  members(): readonly SimMemberInfo[] {
    return this.infos
  }

  isAlive(node: number): boolean {
    return this.alive.has(node)
  }

  isJoined(node: number): boolean {
    return this.alive.has(node)
  }

  reachable(): boolean {
    return true
  }

  async connectionCounts(): Promise<number[]> {
    const live = this.daemons.filter((_, i) => this.isAlive(i))
    const counts = await Promise.all(
      live.map(async (d) =>
        d.get<{ connectedPeers: number }>('/v1/status').then(
          (s) => s.connectedPeers,
          () => undefined,
        ),
      ),
    )
    return counts.filter((n): n is number => n !== undefined)
  }

  async namedPrincipals(): Promise<Array<string | null>> {
    const voters = this.daemons.filter((_, i) => !this.infos[i]!.observer)
    // A daemon whose API does not answer yet names no one (the run polls again).
    return await Promise.all(
      voters.map(
        async (d) =>
          await d.get<Status>('/v1/status').then(
            (s) => s.principal,
            () => null,
          ),
      ),
    )
  }

  principalOf(node: number): string | null | undefined {
    return this.alive.has(node) ? (this.principals.get(node) ?? null) : undefined
  }

  observe(sink: ObservationSink): void {
    this.sink = sink
    this.daemons.forEach((_, i) => {
      void this.subscribe(i)
    })
  }

  /** Polls every running daemon's status: its step, and its principal if the events missed it. */
  sample(): void {
    this.daemons.forEach((daemon, i) => {
      if (daemon.exitCode !== undefined) return
      daemon.get<Status>('/v1/status').then(
        (status) => {
          this.sink?.step(i, status.step)
          this.notePrincipal(i, status.principal)
        },
        () => undefined,
      )
    })
  }

  async broadcast(node: number, payload: string): Promise<string> {
    const response = await this.daemons[node]!.post<{ id: string }>('/v1/messages', {
      data: payload,
    })
    if (response.status !== 202) throw new Error(`POST /v1/messages: ${response.status}`)
    return response.body.id
  }

  async send(node: number, to: string, payload: string): Promise<{ id: string; to: string }> {
    const response = await this.daemons[node]!.post<{ id: string; to: string }>('/v1/messages', {
      data: payload,
      to,
    })
    if (response.status !== 200) throw new Error(`POST /v1/messages to ${to}: ${response.status}`)
    return response.body
  }

  async kill(node: number): Promise<void> {
    this.alive.delete(node)
    this.streams.get(node)?.()
    await this.daemons[node]!.signal('SIGKILL')
  }

  async restart(node: number): Promise<void> {
    const daemon = this.daemons[node]!
    if (daemon.exitCode === undefined) return
    await daemon.start(START_TIMEOUT_MS)
    // Its event stream, and its message log for what it delivered before (its join sync, the
    // first repairs, the frames sent while it was starting).
    await this.subscribe(node)
    await until(
      async () =>
        (await fetch(`${daemon.apiUrl}/ready`).then(
          (r) => r.status,
          () => 0,
        )) === 200,
      READY_TIMEOUT_MS,
      50,
    ).catch(() => undefined)
  }

  async rejoin(node: number): Promise<void> {
    if (this.daemons[node]!.exitCode === undefined) this.alive.add(node)
  }

  async partition(): Promise<void> {
    throw new Error('partitions need in-process mode')
  }

  async heal(): Promise<void> {
    throw new Error('partitions need in-process mode')
  }

  setWeight(): void {
    throw new Error('weight changes need in-process mode')
  }

  async issueAdvice(): Promise<void> {
    throw new Error('advice needs in-process mode')
  }

  async attacker(): Promise<AttackerHandle> {
    const node = createSimNode({
      config: mergeConfig(simBaseConfig(this.scenario), {
        listen: ['/ip4/127.0.0.1/tcp/0'],
        weight: 0,
      }),
      transport: 'tcp',
      membership: false,
    })
    await node.start()
    this.attackers.push(node)
    const targets = this.daemons
      .filter((d) => d.exitCode === undefined)
      .map((d) => multiaddr(d.listen[0]!))
    return { node, targets }
  }

  /** Detections came through the event streams; advice is not played in this mode. */
  async collect(): Promise<AdviceOutcome[]> {
    return []
  }

  async stop(): Promise<void> {
    for (const close of this.streams.values()) close()
    await Promise.all([
      ...this.attackers.splice(0).map(async (a) => await a.stop()),
      ...this.daemons.map(async (d) => await d.stop()),
    ])
    if (this.dir !== '') await rm(this.dir, { recursive: true, force: true })
  }

  /** The scenario's config as the daemons' environment. */
  private env(): Record<string, string> {
    const env: Record<string, string> = {
      PATTERNMESH_SEED: meshSeedOf(this.scenario),
      PATTERNMESH_MESH_ID: `sim-${this.scenario.name}`,
      PATTERNMESH_LOG_LEVEL: 'info',
    }
    for (const [key, value] of Object.entries(simConfigLayer(this.scenario))) {
      env[envNameOf(key)] = Array.isArray(value) ? value.join(',') : String(value)
    }
    return env
  }

  private notePrincipal(node: number, principal: string | null, at?: number): void {
    if (this.principals.get(node) === principal) return
    this.principals.set(node, principal)
    this.sink?.principal(node, principal, at)
  }

  /**
   * Every delivery the message log holds (bounded: 100 pages of 1,000). Read once the event
   * stream is open: what the stream missed is there (the recorder counts a receipt once).
   */
  private async catchUp(node: number, seen: Set<string>): Promise<void> {
    const daemon = this.daemons[node]!
    if (this.sink === undefined || this.infos[node]!.observer) return
    const headers = { authorization: `Bearer ${await daemon.token()}` }
    let after = 0
    for (let page = 0; page < 100; page++) {
      const response = await fetch(`${daemon.apiUrl}/v1/messages?after=${after}&limit=1000`, {
        headers,
        signal: AbortSignal.timeout(CATCH_UP_TIMEOUT_MS),
      })
      const body = (await response.json()) as {
        messages?: Array<{ cursor: number; id: string; receivedAt: number }>
      }
      const messages = body.messages ?? []
      for (const m of messages) {
        // One delivery, one report: the stream (or an earlier page) may have told it already.
        if (seen.has(m.id)) continue
        seen.add(m.id)
        this.sink.message(m.id, node, undefined, m.receivedAt)
      }
      if (messages.length === 0) return
      after = messages.at(-1)!.cursor
    }
  }

  /** The daemon's event stream: deliveries, rejected frames, principal changes. */
  private async subscribe(node: number): Promise<void> {
    const sink = this.sink
    if (sink === undefined) return
    const handler = eventHandler(node, this.infos[node]!.observer, sink, (principal, at) =>
      this.notePrincipal(node, principal, at),
    )
    // The stream's `hello` says this client is subscribed: a delivery after it is streamed, one
    // before it is in the message log, read then.
    let hello: () => void = () => undefined
    const subscribed = new Promise<void>((resolve) => (hello = resolve))
    // Ids reported while the log is read (then dropped): each delivery is reported once.
    let seen: Set<string> | undefined = new Set<string>()
    const stream = await this.daemons[node]!.events('message,rejected,role', (frame) => {
      if (frame['type'] === 'hello') hello()
      else if (frame['type'] === 'message' && seen?.has(String(frame['id'])) === true) return
      else {
        if (frame['type'] === 'message') seen?.add(String(frame['id']))
        handler(frame)
      }
    }).catch(() => undefined)
    if (stream === undefined) return
    this.streams.set(node, stream.close)
    await Promise.race([subscribed, sleep(CATCH_UP_TIMEOUT_MS)])
    // Twice if need be: a daemon under load may answer slowly, and nothing may be missed.
    for (let attempt = 0; attempt < 2; attempt++) {
      const caught = await this.catchUp(node, seen).then(
        () => true,
        () => false,
      )
      if (caught) break
    }
    seen = undefined
  }
}
