import type { PrivateKey } from '@libp2p/interface'
import { TopicValidatorResult, type Message } from '@libp2p/gossipsub'
import { TypedEventEmitter } from 'main-event'
import type { Logger } from 'pino'
import type { MeshConfig } from '../config/index.js'
import { NotStartedError, PayloadTooLargeError } from '../errors.js'
import {
  createMeshLibp2p,
  waitForOutboundCapacity,
  type MeshLibp2p,
  type MeshLibp2pInit,
  type MeshTransport,
} from '../net/index.js'
import { PatternGenerator } from '../pattern/index.js'
import {
  FIXED_HEADER_BYTES,
  ReplayGuard,
  TAG_BYTES,
  encodeBatch,
  sealEnvelope,
  sealEnvelopeInto,
  sealedLength,
  writeBatch,
  type EnvelopeFields,
  type EnvelopeKind,
  type VerdictCode,
} from '../protocol/index.js'
import { AdviceService, type AdviceAudit, type AdviceStore } from '../advice/index.js'
import { Membership } from '../membership/index.js'
import { ObserverModeError } from '../observer/errors.js'
import { MeshObserver } from '../observer/mesh-observer.js'
import { MemoryRoleStateStore, RoleManager, type RoleStateStore } from '../roles/index.js'
import { StepClock } from '../sync/step-clock.js'
import { Lifecycle } from '../util/lifecycle.js'
import { openStepFrame } from '../sync/step-frames.js'
import { StepSync } from '../sync/step-sync.js'
import type { MeshMessage, MeshNodeEvents } from './events.js'
import { OutboundBatcher, type OutboundStats } from './outbound-batcher.js'
import { ReceivePipeline } from './receive-pipeline.js'
import { meshTopics, type MeshTopics } from './topics.js'

export interface MeshNodeInit {
  config: MeshConfig
  /** The network key; when absent, `config.seed` is stretched into one. */
  networkKey?: Uint8Array
  privateKey?: PrivateKey
  /** pnet key file bytes. */
  psk?: Uint8Array
  transport?: MeshTransport
  /** Passed to libp2p: partitions, persistence, gossipsub overrides (tests, simulations). */
  libp2p?: Partial<
    Pick<
      MeshLibp2pInit,
      'connectionGater' | 'datastore' | 'gossipsub' | 'connectionManager' | 'transportFactory'
    >
  >
  logger?: Logger
  /**
   * Membership (heartbeats, failure detector) and roles (principal election) run on every
   * node unless `membership: false` (tests of the messaging layer alone). Role state persists
   * through `roleStore` (the daemon's is a file in the data dir; in memory if omitted).
   */
  services?: {
    membership?: boolean
    roleStore?: RoleStateStore
    version?: string
    /** Advice (with membership): its log (in memory if omitted) and the API's audit log. */
    adviceStore?: AdviceStore
    adviceAudit?: AdviceAudit
  }
}

export interface BroadcastReceipt {
  id: string
  step: number
  seq: number
}

export interface MeshNodeStats {
  step: number
  verdicts: Partial<Record<VerdictCode, number>>
  delivered: number
  outbound: OutboundStats
  replay: ReturnType<ReplayGuard['stats']>
  patternCache: ReturnType<PatternGenerator['cacheStats']>
}

/**
 * Bytes buffered on a peer's gossipsub stream before publishing waits: about 1,000 frames of
 * 200 B, a few ms of sending on loopback, so a backlog never outlives a step.
 */
const OUTBOUND_HIGH_WATER_BYTES = 256 * 1024

/**
 * Payload bytes per gossip message. gossipsub refuses RPCs over 4 MiB and receivers batches
 * over `maxBatchBytes` (1 MiB or more); half a mebibyte keeps every batch well inside both.
 */
const MAX_BATCH_PAYLOAD_BYTES = 512 * 1024

const EMPTY_OUTBOUND: OutboundStats = {
  queued: 0,
  batchesPublished: 0,
  framesPublished: 0,
  framesRefused: 0,
  framesFailed: 0,
  congestedPublishes: 0,
}

/**
 * One process's member of the mesh. Thin orchestration: the pattern layer stamps, the
 * pipeline verifies inside gossipsub's validator, the batcher sends, StepSync keeps the step.
 */
export class MeshNode extends TypedEventEmitter<MeshNodeEvents> {
  readonly config: MeshConfig
  readonly topics: MeshTopics
  readonly generator: PatternGenerator
  private readonly init: MeshNodeInit
  private readonly log: Logger | undefined
  private readonly replayGuard: ReplayGuard
  private readonly clock: StepClock
  private readonly pipeline: ReceivePipeline
  private libp2p_: MeshLibp2p | undefined
  private stepSync: StepSync | undefined
  private batcher: OutboundBatcher<BroadcastReceipt> | undefined
  private readonly lifecycle = new Lifecycle()
  /** Per channel (PROTOCOL.md §3): data frames queue, control frames go out at once. */
  private nextDataSeq = 0
  private nextControlSeq = 0
  private ready: Promise<void> = Promise.resolve()
  private isReady = false
  private readonly verdictCounts: Partial<Record<VerdictCode, number>> = {}
  private delivered = 0
  private readonly detach: Array<() => void> = []
  private members_: Membership | undefined
  private observer_: MeshObserver | undefined
  private roles_: RoleManager | undefined
  private advice_: AdviceService | undefined
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

  /** Heartbeats, member table and failure detector (undefined before start or when off). */
  get members(): Membership | undefined {
    return this.members_
  }

  /** Term, principal and own roles (undefined before start or when off). */
  get roles(): RoleManager | undefined {
    return this.roles_
  }

  /** Verdicts, anomalies and statistics of this node (undefined before start). */
  get observer(): MeshObserver | undefined {
    return this.observer_
  }

  /** Advice: issue, apply, results, anti-entropy (undefined before start or when off). */
  get advice(): AdviceService | undefined {
    return this.advice_
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
      async () => await this.startServices(),
    )
  }

  /**
   * Stops in reverse order of start; harmless when called twice. `leave: false` stops without
   * announcing it (a crash, as simulations play it).
   */
  async stop(options: { leave?: boolean } = {}): Promise<void> {
    // Leaving is announced first (DESIGN §13): members mark this node `left` at once, and a
    // principal hands its term over, before any service stops.
    if (options.leave !== false && this.isStarted) await this.members_?.leave()
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

  /**
   * Sends a control envelope (heartbeat, role claim, advice, …) on the control topic, at once
   * and on its own: control frames are few and time-critical.
   */
  async sendControl(
    kind: Exclude<EnvelopeKind, 'data'>,
    data: Uint8Array,
  ): Promise<BroadcastReceipt> {
    const refused = this.refuseToSend(data)
    if (refused !== undefined) throw refused
    if (!this.isReady) await this.ready
    const frame = this.seal(kind, data)
    await this.libp2p.services.pubsub.publish(this.topics.control, encodeBatch([frame.bytes]))
    return frame.receipt
  }

  /**
   * The receive path of one gossip message, as gossipsub's validator runs it; public so that
   * tests and simulations can inject frames. Returns the verdict of the message.
   */
  receive(message: { topic: string; from: string; data: Uint8Array }): TopicValidatorResult {
    const outcome = this.pipeline.validate(message.topic, message.from, message.data)
    const at = Date.now()
    for (const result of outcome.frames) {
      this.verdictCounts[result.code] = (this.verdictCounts[result.code] ?? 0) + 1
      this.safeDispatchEvent('verdict', {
        detail: { topic: message.topic, from: message.from, result, at },
      })
      if (result.verdict !== 'accept' || result.envelope === undefined) continue
      const envelope = result.envelope
      const id = result.tag === undefined ? '' : Buffer.from(result.tag).toString('hex')
      const delivered: MeshMessage = { id, envelope, from: message.from, receivedAt: at }
      if (envelope.kind === 'data') {
        this.delivered++
        this.safeDispatchEvent('message', { detail: delivered })
      } else {
        if (envelope.kind === 'step-sync' || envelope.kind === 'heartbeat') {
          this.stepSync?.record(envelope.senderId, envelope.globalStep)
        }
        this.safeDispatchEvent('control', { detail: delivered })
      }
    }
    return outcome.verdict === 'accept'
      ? TopicValidatorResult.Accept
      : outcome.verdict === 'reject'
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

  /** Applies live-changeable config keys (CONFIG advice); returns the keys applied. */
  applyConfig(changes: Partial<MeshConfig>): void {
    Object.assign(this.config, changes)
    if (changes.stepIntervalMs !== undefined) this.clock.setIntervalMs(changes.stepIntervalMs)
    if (changes.heartbeatIntervalMs !== undefined)
      this.stepSync?.setAnnounceInterval(changes.heartbeatIntervalMs)
    if (changes.batchMaxMessages !== undefined || changes.batchLingerMs !== undefined) {
      this.batcher?.setBatching(this.config.batchMaxMessages, this.config.batchLingerMs)
    }
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

  private refuseToSend(data: Uint8Array): Error | undefined {
    if (this.lifecycle.status !== 'started' || this.batcher === undefined)
      return new NotStartedError()
    const limit = this.config.maxFrameBytes - FIXED_HEADER_BYTES - TAG_BYTES - 128
    if (data.length > limit)
      return new PayloadTooLargeError(`payload of ${data.length} bytes exceeds ${limit}`)
    return undefined
  }

  private seal(kind: EnvelopeKind, data: Uint8Array): { bytes: Buffer; receipt: BroadcastReceipt } {
    const fields = this.fieldsFor(kind, data)
    const bytes = sealEnvelope(this.generator, fields)
    return { bytes, receipt: receiptOf(fields, bytes, bytes.length) }
  }

  /** Seals data payloads straight into one batch buffer, all at the current step. */
  private sealBatch(payloads: readonly Uint8Array[]): {
    batch: Uint8Array
    receipts: BroadcastReceipt[]
  } {
    const fields = payloads.map((data) => this.fieldsFor('data', data))
    const receipts: BroadcastReceipt[] = []
    const batch = writeBatch(
      fields.map((f) => sealedLength(f)),
      (i, target, offset) => {
        const end = sealEnvelopeInto(this.generator, fields[i]!, target, offset)
        receipts.push(receiptOf(fields[i]!, target, end))
      },
    )
    return { batch, receipts }
  }

  private fieldsFor(kind: EnvelopeKind, data: Uint8Array): EnvelopeFields {
    return {
      kind,
      senderId: this.peerId,
      globalStep: this.clock.step,
      seq: kind === 'data' ? this.nextDataSeq++ : this.nextControlSeq++,
      timestamp: Date.now(),
      data,
    }
  }

  private async startParts(): Promise<void> {
    // Sequence numbers keep increasing across restarts without state on disk (PROTOCOL.md §3).
    this.nextDataSeq = Date.now() * 1000
    this.nextControlSeq = this.nextDataSeq
    const libp2p = await createMeshLibp2p({
      listen: this.config.listen,
      transport: this.init.transport ?? 'tcp',
      privateKey: this.init.privateKey,
      psk: this.init.psk,
      mdns: this.config.mdns,
      bootstrap: this.config.bootstrap,
      topics: [this.topics.data, this.topics.control],
      dialTimeoutMs: this.config.timeoutMs,
      meshDegree: this.config.gossipMeshDegree,
      floodPublish: this.config.gossipFloodPublish,
      logger: this.log,
      connectionManager: {
        maxConnections: this.config.maxNodes,
        ...this.init.libp2p?.connectionManager,
      },
      ...(this.init.libp2p?.connectionGater !== undefined
        ? { connectionGater: this.init.libp2p.connectionGater }
        : {}),
      ...(this.init.libp2p?.datastore !== undefined
        ? { datastore: this.init.libp2p.datastore }
        : {}),
      ...(this.init.libp2p?.gossipsub !== undefined
        ? { gossipsub: this.init.libp2p.gossipsub }
        : {}),
      ...(this.init.libp2p?.transportFactory !== undefined
        ? { transportFactory: this.init.libp2p.transportFactory }
        : {}),
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
        }),
      )
      pubsub.subscribe(topic)
    }

    this.batcher = new OutboundBatcher<BroadcastReceipt>({
      sealBatch: (payloads) => this.sealBatch(payloads),
      publish: async (batch) => {
        await pubsub.publish(this.topics.data, batch)
      },
      gate: async () =>
        await waitForOutboundCapacity(pubsub, OUTBOUND_HIGH_WATER_BYTES, this.config.timeoutMs),
      maxMessages: this.config.batchMaxMessages,
      maxBytes: MAX_BATCH_PAYLOAD_BYTES,
      lingerMs: this.config.batchLingerMs,
      queueLimit: this.config.sendQueueLimit,
      waitTimeoutMs: this.config.timeoutMs,
      onPublishError: (err, frames) => {
        this.log?.warn({ err, frames }, 'publish failed; frames counted as failed')
        this.emitError(err)
      },
    })

    this.stepSync = new StepSync({
      node: libp2p,
      clock: this.clock,
      sealStepFrame: () => this.seal('step-sync', new Uint8Array(0)).bytes,
      verifyStepFrame: (frame, peerId) =>
        openStepFrame(frame, peerId, {
          generator: this.generator,
          localStep: this.clock.step,
          maxFrameBytes: 4096,
        })?.globalStep,
      announce: async () => {
        // Heartbeats carry the step already (their envelope's step): with membership running,
        // a separate announcement would double the control traffic for nothing.
        if (this.members_ !== undefined) return
        await this.sendControl('step-sync', new Uint8Array(0))
      },
      announceIntervalMs: this.config.heartbeatIntervalMs,
      timeoutMs: this.config.syncTimeout,
      maxPeersAsked: 5,
      staleAfterMs: this.config.heartbeatIntervalMs * this.config.deadAfter,
      maxTrackedPeers: this.config.maxNodes * 2,
      onError: (err, context) => this.log?.debug({ err, context }, 'step sync'),
    })
    await this.stepSync.start()

    const onStep = (
      event: CustomEvent<{ step: number; previous: number; reason: 'tick' | 'sync' }>,
    ): void => {
      this.safeDispatchEvent('step.changed', { detail: event.detail })
    }
    this.clock.addEventListener('step.changed', onStep)
    this.detach.push(() => this.clock.removeEventListener('step.changed', onStep))
    const onConnect = (event: CustomEvent<{ toString(): string }>): void => {
      this.safeDispatchEvent('peer.connected', { detail: { peerId: event.detail.toString() } })
    }
    const onDisconnect = (event: CustomEvent<{ toString(): string }>): void => {
      this.safeDispatchEvent('peer.disconnected', { detail: { peerId: event.detail.toString() } })
    }
    libp2p.addEventListener('peer:connect', onConnect)
    libp2p.addEventListener('peer:disconnect', onDisconnect)
    this.detach.push(() => {
      libp2p.removeEventListener('peer:connect', onConnect)
      libp2p.removeEventListener('peer:disconnect', onDisconnect)
    })
    this.clock.start()
    this.isReady = false
    this.ready = this.joinSync().finally(() => {
      this.isReady = true
    })
  }

  /**
   * A joining or restarted node asks its peers for the step before it publishes: it waits (up
   * to `syncTimeout`) for a first connection when it has bootstrap peers, then asks.
   */
  private async joinSync(): Promise<void> {
    const deadline = Date.now() + this.config.syncTimeout
    const connected = (): boolean => (this.libp2p_?.getConnections().length ?? 0) > 0
    if (this.config.bootstrap.length > 0 || this.config.mdns)
      await this.waitUntil(connected, deadline)
    let source: 'peers' | 'local' = 'local'
    if (connected() && this.stepSync !== undefined) {
      if ((await this.stepSync.requestCurrentStep()) !== undefined) source = 'peers'
      // Until gossipsub has exchanged subscriptions a publish reaches nobody: wait for that too.
      const pubsub = this.libp2p.services.pubsub
      await this.waitUntil(() => pubsub.getSubscribers(this.topics.data).length > 0, deadline)
    }
    if (this.lifecycle.status === 'stopping' || this.lifecycle.status === 'stopped') return
    this.syncSource_ = source
    this.log?.info({ step: this.clock.step, source }, 'step synced')
    this.safeDispatchEvent('step.synced', { detail: { step: this.clock.step, source } })
    this.stepSync?.startAnnouncing()
  }

  /** Polls a condition until it holds, the deadline passes or the node stops. */
  private async waitUntil(condition: () => boolean, deadline: number): Promise<void> {
    while (!condition() && Date.now() < deadline && this.lifecycle.status !== 'stopping') {
      await new Promise((resolve) => setTimeout(resolve, 25))
    }
  }

  /** Membership and roles publish through the node, so they start once it is started. */
  private async startServices(): Promise<void> {
    this.observer_ = new MeshObserver({
      node: this,
      ...(this.init.logger !== undefined ? { logger: this.init.logger } : {}),
    })
    if (this.init.services?.membership === false) return this.observer_.start()
    const members = new Membership(
      {
        identity: this,
        control: this,
        liveConfig: this,
        events: this,
        exchange: {
          libp2p: this.libp2p,
          frames: {
            seal: (data) => this.seal('step-sync', data).bytes,
            open: (frame, peerId, maxBytes) =>
              openStepFrame(frame, peerId, {
                generator: this.generator,
                localStep: this.clock.step,
                maxFrameBytes: maxBytes,
              })?.data,
          },
        },
        ...(this.init.logger !== undefined ? { logger: this.init.logger } : {}),
      },
      {
        ...(this.init.services?.version !== undefined
          ? { version: this.init.services.version }
          : {}),
        ...(this.config.nodeId !== undefined ? { metadata: { nodeId: this.config.nodeId } } : {}),
      },
    )
    this.members_ = members
    await members.start()
    const roles = new RoleManager({
      identity: this,
      control: this,
      liveConfig: this,
      events: this,
      membership: members,
      store: this.init.services?.roleStore ?? new MemoryRoleStateStore(),
      ...(this.init.logger !== undefined ? { logger: this.init.logger } : {}),
    })
    this.roles_ = roles
    await roles.start()
    this.advice_ = new AdviceService({
      node: this,
      roles,
      members,
      ...(this.init.services?.adviceStore !== undefined
        ? { store: this.init.services.adviceStore }
        : {}),
      ...(this.init.services?.adviceAudit !== undefined
        ? { audit: this.init.services.adviceAudit }
        : {}),
      ...(this.init.logger !== undefined ? { logger: this.init.logger } : {}),
    })
    await this.advice_.start()
    this.observer_.start()
  }

  private async stopParts(): Promise<void> {
    await this.advice_?.stop()
    this.advice_ = undefined
    this.observer_?.stop()
    this.observer_ = undefined
    await this.roles_?.stop()
    this.roles_ = undefined
    await this.members_?.stop()
    this.members_ = undefined
    this.clock.stop()
    await this.stepSync?.stop()
    this.stepSync = undefined
    await this.batcher?.drain(this.config.timeoutMs)
    this.batcher = undefined
    for (const undo of this.detach.splice(0)) undo()
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

/** A receipt from the sealed frame: the tag (the message id) ends at `end` in `bytes`. */
function receiptOf(fields: EnvelopeFields, bytes: Buffer, end: number): BroadcastReceipt {
  return {
    id: bytes.toString('hex', end - TAG_BYTES, end),
    step: fields.globalStep,
    seq: fields.seq,
  }
}
