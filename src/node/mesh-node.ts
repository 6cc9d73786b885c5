import type { PrivateKey } from '@libp2p/interface'
import { TopicValidatorResult, type Message } from '@libp2p/gossipsub'
import { TypedEventEmitter } from 'main-event'
import type { Logger } from 'pino'
import type { MeshConfig } from '../config/index.js'
import { NotStartedError, PayloadTooLargeError } from '../errors.js'
import { type MeshLibp2p, type MeshTransport } from '../net/index.js'
import { PatternGenerator } from '../pattern/index.js'
import {
  FIXED_HEADER_BYTES,
  ReplayGuard,
  TAG_BYTES,
  encodeBatch,
  sealEnvelope,
  type EnvelopeFields,
  type EnvelopeKind,
  type VerdictCode,
  type VerifyResult,
} from '../protocol/index.js'
import { ObserverModeError } from '../observer/errors.js'
import { StepClock } from '../sync/step-clock.js'
import type { StepSync } from '../sync/step-sync.js'
import { Lifecycle } from '../util/lifecycle.js'
import { ControlDispatch } from './control-dispatch.js'
import type { MeshMessage, MeshNodeEvents } from './events.js'
import { createNodeLibp2p, type Libp2pOverrides } from './node-libp2p.js'
import { createNodeStepSync, joinSync } from './node-step-sync.js'
import { createNodeBatcher, receiptOf, type NodeBatcher } from './node-batcher.js'
import { EMPTY_OUTBOUND, type OutboundStats } from './outbound-batcher.js'
import type {
  BroadcastReceipt,
  ControlChannel,
  ControlHandler,
  ControlKind,
  LiveConfig,
} from './ports.js'
import { ReceivePipeline } from './receive-pipeline.js'
import { meshTopics, type MeshTopics } from './topics.js'

export type { BroadcastReceipt } from './ports.js'

export interface MeshNodeInit {
  config: MeshConfig
  /** The network key; when absent, `config.seed` is stretched into one. */
  networkKey?: Uint8Array
  privateKey?: PrivateKey
  /** pnet key file bytes. */
  psk?: Uint8Array
  transport?: MeshTransport
  /** Passed to libp2p: partitions, persistence, gossipsub overrides (tests, simulations). */
  libp2p?: Libp2pOverrides
  logger?: Logger
  /**
   * Publish step-sync frames every heartbeat interval (default true). Off when membership
   * runs: heartbeats carry the step already, announcing it twice would double control traffic.
   */
  announceSteps?: boolean
}

export interface MeshNodeStats {
  step: number
  verdicts: Partial<Record<VerdictCode, number>>
  delivered: number
  outbound: OutboundStats
  replay: ReturnType<ReplayGuard['stats']>
  patternCache: ReturnType<PatternGenerator['cacheStats']>
}

/** What gossipsub's validator hands over of one message. */
export interface ReceivedGossip {
  topic: string
  /** The peer that signed it (StrictSign). */
  from: string
  data: Uint8Array
  /** The message as received, kept as evidence of what the signer sent. */
  gossip?: Message
}

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
  readonly generator: PatternGenerator
  private readonly init: MeshNodeInit
  private readonly log: Logger | undefined
  private readonly replayGuard: ReplayGuard
  private readonly clock: StepClock
  private readonly pipeline: ReceivePipeline
  private readonly dispatch = new ControlDispatch()
  private readonly lifecycle = new Lifecycle()
  private libp2p_: MeshLibp2p | undefined
  private stepSync: StepSync | undefined
  private batcher: NodeBatcher | undefined
  private controller = new AbortController()
  /** Per channel (PROTOCOL.md §3): data frames queue, control frames go out at once. */
  private nextControlSeq = 0
  private ready: Promise<void> = Promise.resolve()
  private isReady = false
  private readonly verdictCounts: Partial<Record<VerdictCode, number>> = {}
  private delivered = 0
  private syncSource_: 'peers' | 'local' | undefined

  constructor(init: MeshNodeInit) {
    super()
    this.init = init
    this.config = { ...init.config }
    this.log = init.logger?.child({ component: 'mesh-node' })
    this.topics = meshTopics(this.config.meshId)
    this.generator = new PatternGenerator({
      ...(init.networkKey !== undefined ? { key: init.networkKey } : { seed: this.config.seed }),
      algorithm: this.config.algorithm,
      phaseResetInterval: this.config.phaseResetInterval,
      cacheSize: this.config.cacheSize,
    })
    this.replayGuard = new ReplayGuard({ maxSenders: Math.max(this.config.maxNodes * 4, 64) })
    // Steps follow the wall clock, so nodes started apart (or restarted) agree; sync does the rest.
    this.clock = new StepClock({ intervalMs: this.config.stepIntervalMs })
    this.pipeline = new ReceivePipeline({
      generator: this.generator,
      replayGuard: this.replayGuard,
      topics: this.topics,
      localStep: () => this.clock.step,
      stepWindow: () => this.config.stepWindow,
      maxFrameBytes: this.config.maxFrameBytes,
    })
  }

  get libp2p(): MeshLibp2p {
    if (this.libp2p_ === undefined) throw new NotStartedError()
    return this.libp2p_
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
    await this.lifecycle.start(
      async () => await this.startParts(),
      async () => await this.stopParts(),
    )
  }

  /** Stops in reverse order of start; harmless when called twice. */
  async stop(): Promise<void> {
    await this.lifecycle.stop(async () => await this.stopParts())
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
    const frame = this.seal(kind, data)
    await this.libp2p.services.pubsub.publish(this.topics.control, encodeBatch([frame.bytes]))
    return frame.receipt
  }

  handleControl(
    kind: ControlKind,
    handler: ControlHandler,
    options: { signal: AbortSignal },
  ): void {
    this.dispatch.register(kind, handler, options.signal)
  }

  /**
   * The receive path of one gossip message, as gossipsub's validator runs it; public so that
   * tests and simulations can inject frames. Returns the verdict of the message.
   */
  receive(message: ReceivedGossip): TopicValidatorResult {
    const outcome = this.pipeline.validate(message.topic, message.from, message.data)
    const at = Date.now()
    let verdict = outcome.verdict
    let accepted = 0
    for (const checked of outcome.frames) {
      const result = this.handle(checked, message, at)
      if (result.verdict === 'reject') verdict = 'reject'
      if (result.verdict === 'accept') accepted++
      this.verdictCounts[result.code] = (this.verdictCounts[result.code] ?? 0) + 1
      this.safeDispatchEvent('verdict', {
        detail: {
          topic: message.topic,
          from: message.from,
          result,
          at,
          ...(message.gossip !== undefined ? { gossip: message.gossip } : {}),
        },
      })
    }
    // A control frame its handler dropped is not forwarded either.
    if (verdict === 'accept' && accepted === 0 && outcome.frames.length > 0) verdict = 'ignore'
    return verdict === 'accept'
      ? TopicValidatorResult.Accept
      : verdict === 'reject'
        ? TopicValidatorResult.Reject
        : TopicValidatorResult.Ignore
  }

  /** Moves the step forward to `targetStep` (never backwards). True if it moved. */
  sync(targetStep: number): boolean {
    return this.clock.advanceTo(targetStep)
  }

  onMessage(callback: (message: MeshMessage) => void): () => void {
    return this.listen('message', (event) => callback(event.detail))
  }

  onError(callback: (error: Error) => void): () => void {
    return this.listen('error', (event) => callback(event.detail))
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
      verdicts: { ...this.verdictCounts },
      delivered: this.delivered,
      outbound: this.batcher?.stats() ?? EMPTY_OUTBOUND,
      replay: this.replayGuard.stats(),
      patternCache: this.generator.cacheStats(),
    }
  }

  /** Resolves once the join sync is over (the node then publishes at the mesh's step). */
  async whenReady(): Promise<void> {
    await this.ready
  }

  /** A frame that passed the common checks goes to its consumer; a control handler may refuse it. */
  private handle(checked: VerifyResult, message: ReceivedGossip, at: number): VerifyResult {
    const envelope = checked.envelope
    if (checked.verdict !== 'accept' || envelope === undefined) return checked
    const id = checked.tag === undefined ? '' : Buffer.from(checked.tag).toString('hex')
    const delivered: MeshMessage = { id, envelope, from: message.from, receivedAt: at }
    if (envelope.kind === 'data') {
      this.delivered++
      this.safeDispatchEvent('message', { detail: delivered })
      return checked
    }
    if (envelope.kind === 'step-sync' || envelope.kind === 'heartbeat') {
      this.stepSync?.record(envelope.senderId, envelope.globalStep)
    }
    if (envelope.kind === 'step-sync') return checked
    if (!this.dispatch.has(envelope.kind)) {
      // Not claimed through handleControl: handed to whoever listens to `control`.
      this.safeDispatchEvent('control', { detail: delivered })
      return checked
    }
    const answer = this.dispatch.dispatch({
      ...delivered,
      ...(message.gossip !== undefined ? { gossip: message.gossip } : {}),
    })
    return answer.verdict === 'accept' ? checked : { ...checked, ...answer }
  }

  private refuseToSend(data: Uint8Array): Error | undefined {
    if (this.lifecycle.status !== 'started' || this.batcher === undefined)
      return new NotStartedError()
    const limit = this.config.maxFrameBytes - FIXED_HEADER_BYTES - TAG_BYTES - 128
    if (data.length > limit)
      return new PayloadTooLargeError(`payload of ${data.length} bytes exceeds ${limit}`)
    return undefined
  }

  private seal(kind: EnvelopeKind, data: Uint8Array): { bytes: Buffer; receipt: BroadcastReceipt } {
    const fields: EnvelopeFields = {
      kind,
      senderId: this.peerId,
      globalStep: this.clock.step,
      seq: this.nextControlSeq++,
      timestamp: Date.now(),
      data,
    }
    const bytes = sealEnvelope(this.generator, fields)
    return { bytes, receipt: receiptOf(fields, bytes, bytes.length) }
  }

  private async startParts(): Promise<void> {
    this.controller = new AbortController()
    const signal = this.controller.signal
    // Sequence numbers keep increasing across restarts without state on disk (PROTOCOL.md §3).
    this.nextControlSeq = Date.now() * 1000
    const libp2p = await createNodeLibp2p({
      config: this.config,
      topics: this.topics,
      ...definedInit(this.init),
      ...(this.log !== undefined ? { logger: this.log } : {}),
    })
    this.libp2p_ = libp2p
    const pubsub = libp2p.services.pubsub
    // The validator gets the forwarder; StrictSign makes `message.from` the signing origin,
    // which is the peer a frame's senderId must match.
    for (const topic of [this.topics.data, this.topics.control]) {
      pubsub.topicValidators.set(topic, (_forwarder, message: Message) =>
        this.receive({
          topic,
          from: message.type === 'signed' ? message.from.toString() : '',
          data: message.data,
          gossip: message,
        }),
      )
      pubsub.subscribe(topic)
    }
    this.batcher = createNodeBatcher({
      pubsub,
      topic: this.topics.data,
      generator: this.generator,
      config: this.config,
      fields: () => ({ senderId: this.peerId, globalStep: this.clock.step }),
      firstSeq: this.nextControlSeq,
      onPublishError: (err, frames) => {
        this.log?.warn({ err, frames }, 'publish failed; frames counted as failed')
        this.emitError(err)
      },
    })
    this.stepSync = createNodeStepSync({
      libp2p,
      clock: this.clock,
      generator: this.generator,
      config: this.config,
      sealStepFrame: () => this.seal('step-sync', new Uint8Array(0)).bytes,
      announce:
        this.init.announceSteps === false
          ? undefined
          : async () => {
              await this.sendControl('step-sync', new Uint8Array(0))
            },
      logger: this.log,
    })
    await this.stepSync.start()
    this.forwardEvents(libp2p, signal)
    this.clock.start()
    this.isReady = false
    this.ready = this.runJoinSync(libp2p, this.stepSync, signal).finally(() => {
      this.isReady = true
    })
  }

  private forwardEvents(libp2p: MeshLibp2p, signal: AbortSignal): void {
    this.clock.addEventListener(
      'step.changed',
      (event) => this.safeDispatchEvent('step.changed', { detail: event.detail }),
      { signal },
    )
    libp2p.addEventListener(
      'peer:connect',
      (event) =>
        this.safeDispatchEvent('peer.connected', { detail: { peerId: event.detail.toString() } }),
      { signal },
    )
    libp2p.addEventListener(
      'peer:disconnect',
      (event) =>
        this.safeDispatchEvent('peer.disconnected', {
          detail: { peerId: event.detail.toString() },
        }),
      { signal },
    )
  }

  private async runJoinSync(
    libp2p: MeshLibp2p,
    stepSync: StepSync,
    signal: AbortSignal,
  ): Promise<void> {
    const source = await joinSync({
      libp2p,
      stepSync,
      config: this.config,
      topics: this.topics,
      signal,
    })
    if (signal.aborted) return
    this.syncSource_ = source
    this.log?.info({ step: this.clock.step, source }, 'step synced')
    this.safeDispatchEvent('step.synced', { detail: { step: this.clock.step, source } })
    stepSync.startAnnouncing()
  }

  private async stopParts(): Promise<void> {
    this.controller.abort()
    this.clock.stop()
    await this.stepSync?.stop()
    this.stepSync = undefined
    await this.batcher?.drain(this.config.timeoutMs)
    this.batcher = undefined
    if (this.libp2p_ !== undefined) {
      for (const topic of [this.topics.data, this.topics.control])
        this.libp2p_.services.pubsub.topicValidators.delete(topic)
      await this.libp2p_.stop()
    }
    await this.ready.catch(() => undefined)
  }

  private listen<K extends keyof MeshNodeEvents>(
    type: K,
    handler: (event: MeshNodeEvents[K]) => void,
  ): () => void {
    const listener = handler as unknown as (event: Event) => void
    this.addEventListener(type, listener)
    return () => this.removeEventListener(type, listener)
  }

  private emitError(err: unknown): void {
    this.safeDispatchEvent('error', { detail: err instanceof Error ? err : new Error(String(err)) })
  }
}

/** The init's libp2p inputs that are set. */
function definedInit(
  init: MeshNodeInit,
): Omit<Parameters<typeof createNodeLibp2p>[0], 'config' | 'topics'> {
  return {
    ...(init.transport !== undefined ? { transport: init.transport } : {}),
    ...(init.privateKey !== undefined ? { privateKey: init.privateKey } : {}),
    ...(init.psk !== undefined ? { psk: init.psk } : {}),
    ...(init.libp2p !== undefined ? { overrides: init.libp2p } : {}),
  }
}
