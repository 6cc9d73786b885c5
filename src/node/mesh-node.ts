import { generateKeyPair } from '@libp2p/crypto/keys'
import type { TopicValidatorResult } from '@libp2p/gossipsub'
import type { PrivateKey } from '@libp2p/interface'
import { TypedEventEmitter } from 'main-event'
import type { Logger } from 'pino'
import type { MeshConfig } from '../config/index.js'
import { NotStartedError, ObserverModeError, PayloadTooLargeError } from '../errors.js'
import { AllowlistGater, type MeshLibp2p } from '../net/index.js'
import type { PatternKeySet } from '../pattern/index.js'
import { FIXED_HEADER_BYTES, ReplayGuard, TAG_BYTES, encodeBatch } from '../protocol/index.js'
import { StepClock } from '../sync/step-clock.js'
import type { StepSync } from '../sync/step-sync.js'
import { Lifecycle } from '../util/lifecycle.js'
import { ControlSealer } from './control-sealer.js'
import type { MeshMessage, MeshNodeEvents } from './events.js'
import { FrameRouter } from './frame-router.js'
import { createNodeBatcher, type NodeBatcher } from './node-batcher.js'
import { createNodeLibp2p, forwardEvents, installValidators } from './node-libp2p.js'
import { nodeKeys } from './node-keys.js'
import { createNodeStepSync, joinSync } from './node-step-sync.js'
import { EMPTY_OUTBOUND } from './outbound-batcher.js'
import type {
  BroadcastReceipt,
  ControlChannel,
  ControlHandler,
  ControlKind,
  LiveConfig,
} from './ports.js'
import { ReceivePipeline } from './receive-pipeline.js'
import { meshTopics, type MeshTopics } from './topics.js'
import type { MeshNodeInit, MeshNodeStats, ReceivedGossip } from './types.js'

/**
 * The messaging core of one process: stamps (seal), batches, verifies inside gossipsub's
 * validator, delivers, keeps the step. It builds no service: the composition root
 * (peer/mesh-peer.ts) does, and services reach it through the ports (node/ports.ts).
 */
export class MeshNode
  extends TypedEventEmitter<MeshNodeEvents>
  implements ControlChannel, LiveConfig
{
  readonly config: MeshConfig
  readonly topics: MeshTopics
  /** The keys: the primary stamps, any installed one verifies (the keyring changes them). */
  readonly generator: PatternKeySet
  readonly allowlist = new AllowlistGater({ allowPeers: () => this.config.allowPeers })
  private readonly init: MeshNodeInit
  private readonly log: Logger | undefined
  private readonly replayGuard: ReplayGuard
  private readonly clock: StepClock
  readonly router: FrameRouter
  private readonly lifecycle = new Lifecycle()
  private libp2p_: MeshLibp2p | undefined
  private stepSync: StepSync | undefined
  private batcher: NodeBatcher | undefined
  private controller = new AbortController()
  private readonly sealer: ControlSealer
  private ready: Promise<void> = Promise.resolve()
  private isReady = false
  private syncSource_: 'peers' | 'local' | undefined
  private removeValidators: (() => void) | undefined
  private privateKey_: PrivateKey | undefined
  private readonly stampFields = () => ({ senderId: this.peerId, globalStep: this.clock.step })

  constructor(init: MeshNodeInit) {
    super()
    this.init = init
    this.config = { ...init.config }
    this.log = init.logger?.child({ component: 'mesh-node' })
    this.topics = meshTopics(this.config.meshId)
    this.generator = nodeKeys(init)
    this.replayGuard = new ReplayGuard({ maxSenders: Math.max(this.config.maxNodes * 4, 64) })
    // Steps follow the wall clock, so nodes started apart (or restarted) agree; sync does the rest.
    this.clock = new StepClock({ intervalMs: this.config.stepIntervalMs })
    this.sealer = new ControlSealer(this.generator, this.stampFields)
    this.router = new FrameRouter({
      pipeline: new ReceivePipeline({
        generator: this.generator,
        replayGuard: this.replayGuard,
        topics: this.topics,
        localStep: () => this.clock.step,
        stepWindow: () => this.config.stepWindow,
        maxFrameBytes: this.config.maxFrameBytes,
      }),
      recordStep: (peerId, step) => this.stepSync?.record(peerId, step),
      emit: (type, detail) => this.safeDispatchEvent(type, { detail }),
      verifyTiming: init.verifyTiming,
    })
  }

  get libp2p(): MeshLibp2p {
    if (this.libp2p_ === undefined) throw new NotStartedError()
    return this.libp2p_
  }

  /** The libp2p identity key (the init's, or one made at start): peer records are signed with it. */
  get privateKey(): PrivateKey {
    if (this.privateKey_ === undefined) throw new NotStartedError()
    return this.privateKey_
  }

  get peerId(): string {
    return this.libp2p.peerId.toString()
  }

  get step(): number {
    return this.clock.step
  }

  get isStarted(): boolean {
    return this.lifecycle.status === 'started'
  }

  /** Where the join sync got the step from, once it is over. */
  get syncSource(): 'peers' | 'local' | undefined {
    return this.syncSource_
  }

  getMultiaddrs(): string[] {
    return this.libp2p.getMultiaddrs().map((addr) => addr.toString())
  }

  connectedPeers(): string[] {
    return [...new Set(this.libp2p.getConnections().map((conn) => conn.remotePeer.toString()))]
  }

  async start(): Promise<void> {
    await this.lifecycle.start(this.startParts, this.stopParts)
  }

  /** Stops in reverse order of start; harmless when called twice. */
  async stop(): Promise<void> {
    await this.lifecycle.stop(this.stopParts)
  }

  /**
   * Stamps `data` with the current step, a sequence number, its pattern value and tag, and
   * publishes it. Waits for the join sync first, and while the outbound queue is full.
   */
  broadcast(data: Uint8Array | string): Promise<BroadcastReceipt> {
    const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data
    // An observer never publishes data (DESIGN §7), whichever way it is asked to.
    const refused = this.config.observer ? new ObserverModeError() : this.refuseToSend(bytes)
    if (refused !== undefined) return Promise.reject(refused)
    const batcher = this.batcher!
    // The hot path: no async frames, one promise per message once the join sync is over.
    return this.isReady ? batcher.enqueue(bytes) : this.ready.then(() => batcher.enqueue(bytes))
  }

  /** Seals a control envelope and publishes it on the control topic at once, on its own. */
  async sendControl(kind: ControlKind, data: Uint8Array): Promise<BroadcastReceipt> {
    const refused = this.refuseToSend(data)
    if (refused !== undefined) throw refused
    if (!this.isReady) await this.ready
    const frame = this.sealer.seal(kind, data)
    await this.libp2p.services.pubsub.publish(this.topics.control, encodeBatch([frame.bytes]))
    return frame.receipt
  }

  handleControl(kind: ControlKind, handler: ControlHandler, opts: { signal: AbortSignal }): void {
    this.router.dispatch.register(kind, handler, opts.signal)
  }

  /** A sealed step-sync frame carrying `data`: sync answers prove knowledge of the key with it. */
  sealStepFrame(data: Uint8Array): Uint8Array {
    return this.sealer.seal('step-sync', data).bytes
  }

  /** One gossip message's verdict, as gossipsub's validator asks (tests inject frames here). */
  receive(message: ReceivedGossip): TopicValidatorResult {
    return this.router.receive(message)
  }

  /** Moves the step forward to `targetStep` (never backwards). True if it moved. */
  sync(targetStep: number): boolean {
    return this.clock.advanceTo(targetStep)
  }

  onMessage(callback: (message: MeshMessage) => void): () => void {
    return this.on('message', callback)
  }

  onError(callback: (error: Error) => void): () => void {
    return this.on('error', callback)
  }

  private on<T>(type: 'message' | 'error', callback: (detail: T) => void): () => void {
    const listener = (event: Event): void => callback((event as CustomEvent<T>).detail)
    this.addEventListener(type, listener)
    return () => this.removeEventListener(type, listener)
  }

  /** Applies live-changeable config keys (CONFIG advice, reload) and says so. */
  applyConfig(changes: Partial<MeshConfig>): void {
    Object.assign(this.config, changes)
    if (changes.stepIntervalMs !== undefined) this.clock.setIntervalMs(changes.stepIntervalMs)
    if (changes.heartbeatIntervalMs !== undefined)
      this.stepSync?.setAnnounceInterval(changes.heartbeatIntervalMs)
    if (changes.batchMaxMessages !== undefined || changes.batchLingerMs !== undefined) {
      this.batcher?.setBatching(this.config.batchMaxMessages, this.config.batchLingerMs)
    }
    this.safeDispatchEvent('config.changed', { detail: { changes: { ...changes } } })
  }

  stats(): MeshNodeStats {
    return {
      step: this.clock.step,
      verdicts: this.router.verdicts(),
      delivered: this.router.delivered,
      outbound: this.batcher?.stats() ?? EMPTY_OUTBOUND,
      replay: this.replayGuard.stats(),
      patternCache: this.generator.cacheStats(),
    }
  }

  /** Resolves once the join sync is over (the node then publishes at the mesh's step). */
  async whenReady(): Promise<void> {
    await this.ready
  }

  private refuseToSend(data: Uint8Array): Error | undefined {
    if (this.lifecycle.status !== 'started' || this.batcher === undefined)
      return new NotStartedError()
    const limit = this.config.maxFrameBytes - FIXED_HEADER_BYTES - TAG_BYTES - 128
    if (data.length > limit)
      return new PayloadTooLargeError(`payload of ${data.length} bytes exceeds ${limit}`)
    return undefined
  }

  private readonly startParts = async (): Promise<void> => {
    this.controller = new AbortController()
    const signal = this.controller.signal
    // Sequence numbers keep increasing across restarts without state on disk (PROTOCOL.md §3).
    const firstSeq = Date.now() * 1000
    this.sealer.restartAt(firstSeq)
    this.privateKey_ = this.init.privateKey ?? (await generateKeyPair('Ed25519'))
    const init = { ...this.init, privateKey: this.privateKey_ }
    const libp2p = await createNodeLibp2p(this, init, this.log, signal)
    this.libp2p_ = libp2p
    this.removeValidators = installValidators(libp2p, this.topics, (m) => this.receive(m))
    this.batcher = createNodeBatcher({
      pubsub: libp2p.services.pubsub,
      topic: this.topics.data,
      generator: this.generator,
      config: this.config,
      fields: this.stampFields,
      firstSeq,
      onSealed: (frames) => this.router.sealed(frames),
      onPublishError: (err, frames) => {
        this.log?.warn({ err, frames }, 'publish failed; frames counted as failed')
        const detail = err instanceof Error ? err : new Error(String(err))
        this.safeDispatchEvent('error', { detail })
      },
    })
    this.stepSync = createNodeStepSync({
      libp2p,
      clock: this.clock,
      generator: this.generator,
      config: this.config,
      sealStepFrame: () => this.sealStepFrame(new Uint8Array(0)),
      announce: this.init.announceSteps === false ? undefined : this.announceStep,
      logger: this.log,
    })
    await this.stepSync.start()
    forwardEvents(
      libp2p,
      this.clock,
      (type, detail) => this.safeDispatchEvent(type, { detail }),
      signal,
    )
    this.clock.start()
    this.isReady = false
    const synced = (source: 'peers' | 'local'): void => {
      this.syncSource_ = source
      this.log?.info({ step: this.clock.step, source }, 'step synced')
      this.safeDispatchEvent('step.synced', { detail: { step: this.clock.step, source } })
    }
    const sync = { libp2p, stepSync: this.stepSync, config: this.config, topics: this.topics }
    this.ready = joinSync({ ...sync, signal, synced }).finally(() => (this.isReady = true))
  }

  private readonly announceStep = async (): Promise<void> => {
    await this.sendControl('step-sync', new Uint8Array(0))
  }

  private readonly stopParts = async (): Promise<void> => {
    this.controller.abort()
    this.clock.stop()
    await this.stepSync?.stop()
    this.stepSync = undefined
    await this.batcher?.drain(this.config.timeoutMs)
    this.batcher = undefined
    this.removeValidators?.()
    this.removeValidators = undefined
    await this.libp2p_?.stop()
    await this.ready.catch(() => undefined)
  }
}
