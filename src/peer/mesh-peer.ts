/**
 * MeshPeer: the composition root. It builds the messaging core (MeshNode) and the services
 * (membership, roles, advice, observer) from their factories, starts them in order once the
 * node is up and stops them in reverse. The daemon, the simulator, the API and applications
 * (`import { createMeshPeer } from 'patternmesh'`) hold a MeshPeer; services never see it.
 */
import type { TopicValidatorResult } from '@libp2p/gossipsub'
import type { Logger } from 'pino'
import type { AdviceService } from '../advice/index.js'
import type { RepairService } from '../delivery/index.js'
import type { MeshConfig } from '../config/index.js'
import {
  AckTimeoutError,
  type AckedBroadcast,
  type DirectMessaging,
  type MessageLog,
  type SendOptions,
  type SendResult,
} from '../direct/index.js'
import { NotStartedError } from '../errors.js'
import type { KeyringService } from '../keyring/index.js'
import type { Membership } from '../membership/index.js'
import {
  MeshNode,
  type BroadcastReceipt,
  type ControlHandler,
  type ControlKind,
  type MeshMessage,
  type MeshNodeStats,
  type ReceivedGossip,
} from '../node/index.js'
import type { MeshObserver } from '../observer/index.js'
import type { RoleManager } from '../roles/index.js'
import { Lifecycle } from '../util/lifecycle.js'
import { PeerMetrics } from './metrics.js'
import { buildServices, type PeerServices } from './services.js'
import type { MeshPeerInit } from './types.js'

export type { MeshPeerInit } from './types.js'

export class MeshPeer {
  readonly node: MeshNode
  /** This peer's Prometheus registry: the core's, libp2p's and the services' metrics. */
  readonly metrics = new PeerMetrics()
  /** The node's typed events (`message`, `verdict`, `step.changed`, …). */
  readonly addEventListener: MeshNode['addEventListener']
  readonly removeEventListener: MeshNode['removeEventListener']
  private readonly init: MeshPeerInit
  private readonly log: Logger | undefined
  private readonly lifecycle = new Lifecycle()
  private services: PeerServices | undefined

  constructor(init: MeshPeerInit) {
    this.init = init
    this.log = init.logger?.child({ component: 'mesh-peer' })
    const { services, ...nodeInit } = init
    this.node = new MeshNode({
      ...nodeInit,
      announceSteps: services?.membership === false,
      verifyTiming: this.metrics.observeVerify,
      libp2p: { ...nodeInit.libp2p, metricsRegistry: this.metrics.libp2pRegistry },
    })
    this.addEventListener = this.node.addEventListener.bind(this.node)
    this.removeEventListener = this.node.removeEventListener.bind(this.node)
  }

  /** Heartbeats, member table and failure detector (undefined before start or when off). */
  get members(): Membership | undefined {
    return this.services?.members
  }

  /** Signed peer records and the peer manager (undefined before start or without membership). */
  get peers(): PeerServices['peers'] {
    return this.services?.peers
  }

  /** Term, principal and own roles (undefined before start or when off). */
  get roles(): RoleManager | undefined {
    return this.services?.roles
  }

  /** Verdicts, anomalies and statistics of this node (undefined before start). */
  get observer(): MeshObserver | undefined {
    return this.services?.observer
  }

  /** Advice: issue, apply, results, anti-entropy (undefined before start or when off). */
  get advice(): AdviceService | undefined {
    return this.services?.advice
  }

  /** The network keys: list, install, use, remove (undefined before start). */
  get keyring(): KeyringService | undefined {
    return this.services?.keyring
  }

  /** This node's log of delivered messages (undefined before start). */
  get messageLog(): MessageLog | undefined {
    return this.services?.log
  }

  /** Directed messages and acknowledged broadcasts (undefined before start). */
  get direct(): DirectMessaging | undefined {
    return this.services?.direct
  }

  /** Retention, dedup by (sender, seq) and repair (undefined before start; DESIGN §15). */
  get delivery(): RepairService | undefined {
    return this.services?.delivery
  }

  get isStarted(): boolean {
    return this.lifecycle.status === 'started'
  }

  async start(): Promise<void> {
    await this.lifecycle.start(
      async () => {
        this.metrics.beginStart(this.node)
        await this.node.start()
        this.services = buildServices(this.node, this.init)
        this.metrics.registerGossip(this.node)
        this.metrics.registerServices(this.services, this.node)
        for (const [index, service] of this.services.ordered.entries()) {
          try {
            await service.start()
          } catch (err) {
            await this.stopServices(this.services.ordered.slice(0, index))
            throw err
          }
        }
      },
      async () => {
        await this.node.stop()
        this.services = undefined
      },
    )
  }

  /**
   * Services in reverse order of start, then the node; harmless when called twice.
   * `leave: false` stops without announcing it (a crash, as simulations play it).
   */
  async stop(options: { leave?: boolean } = {}): Promise<void> {
    // Leaving is announced first (DESIGN §13): members mark this node `left` at once, and a
    // principal hands its term over, before any service stops.
    if (options.leave !== false && this.isStarted) await this.services?.members?.leave()
    await this.lifecycle.stop(async () => {
      await this.stopServices(this.services?.ordered ?? [])
      this.services = undefined
      this.metrics.endStart()
      await this.node.stop()
    })
  }

  private async stopServices(started: ReadonlyArray<{ stop(): Promise<void> }>): Promise<void> {
    for (const service of [...started].reverse()) {
      await service.stop().catch((err: unknown) => this.log?.error({ err }, 'service stop failed'))
    }
  }

  // The messaging surface, as the node has it.

  get config(): MeshConfig {
    return this.node.config
  }

  get libp2p(): MeshNode['libp2p'] {
    return this.node.libp2p
  }

  get generator(): MeshNode['generator'] {
    return this.node.generator
  }

  get topics(): MeshNode['topics'] {
    return this.node.topics
  }

  get peerId(): string {
    return this.node.peerId
  }

  get step(): number {
    return this.node.step
  }

  get syncSource(): 'peers' | 'local' | undefined {
    return this.node.syncSource
  }

  getMultiaddrs(): string[] {
    return this.node.getMultiaddrs()
  }

  connectedPeers(): string[] {
    return this.node.connectedPeers()
  }

  /**
   * Broadcasts `data`. With `ack` (0 < ack ≤ 1), resolves once that fraction of the alive
   * members delivered it, or rejects with AckTimeoutError (its `result` has the counts) after
   * `timeoutMs` (default 5 s).
   */
  async broadcast(data: Uint8Array | string): Promise<BroadcastReceipt>
  async broadcast(
    data: Uint8Array | string,
    options: { ack: number; timeoutMs?: number },
  ): Promise<AckedBroadcast>
  async broadcast(
    data: Uint8Array | string,
    options?: { ack?: number; timeoutMs?: number },
  ): Promise<BroadcastReceipt | AckedBroadcast> {
    if (options?.ack === undefined) return await this.node.broadcast(data)
    const direct = this.services?.direct
    if (direct === undefined) throw new NotStartedError()
    const timeout = options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}
    const result = await direct.broadcastAcked(data, options.ack, timeout)
    if (!result.complete) {
      const { id, step, seq, receipts, members } = result
      throw new AckTimeoutError(
        `${receipts} of ${members} members confirmed the message in time; ${options.ack} wanted`,
        { id, step, seq, receipts, members },
      )
    }
    return result
  }

  /**
   * Sends `data` to one member: a peer id, `role:principal`, `role:member` (round-robin),
   * `any` (random) or `key:<k>` (rendezvous hashing), acknowledged, retried until `timeoutMs`.
   */
  async send(
    to: string,
    data: Uint8Array | string,
    options: SendOptions = {},
  ): Promise<SendResult> {
    const direct = this.services?.direct
    if (direct === undefined) throw new NotStartedError()
    return await direct.send(to, data, options)
  }

  async sendControl(kind: ControlKind, data: Uint8Array): Promise<BroadcastReceipt> {
    return await this.node.sendControl(kind, data)
  }

  handleControl(
    kind: ControlKind,
    handler: ControlHandler,
    options: { signal: AbortSignal },
  ): void {
    this.node.handleControl(kind, handler, options)
  }

  receive(message: ReceivedGossip): TopicValidatorResult {
    return this.node.receive(message)
  }

  sync(targetStep: number): boolean {
    return this.node.sync(targetStep)
  }

  onMessage(callback: (message: MeshMessage) => void): () => void {
    return this.node.onMessage(callback)
  }

  onError(callback: (error: Error) => void): () => void {
    return this.node.onError(callback)
  }

  applyConfig(changes: Partial<MeshConfig>): void {
    this.node.applyConfig(changes)
  }

  stats(): MeshNodeStats {
    return this.node.stats()
  }

  async whenReady(): Promise<void> {
    await this.node.whenReady()
  }
}
