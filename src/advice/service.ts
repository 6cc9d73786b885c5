/**
 * AdviceService: advice on one node (DESIGN §6). Takes requests (issue, rollback) and relays
 * them to the principal; as principal stamps them (term, version vectors, resolved targets),
 * persists and broadcasts them (`advice` control frames); as a target evaluates and applies
 * them and broadcasts its result (`advice-status`); holds everything persisted; and runs
 * anti-entropy so that nothing unexpired is missed. Thin: it composes the parts. Issuing is
 * in issuer.ts (the stamp itself in stamp.ts), forwarding to the principal in
 * principal-forwarder.ts, recording and applying in recorder.ts (rules in applier.ts), what
 * arrives in inbound.ts (parsed by frames.ts), the rounds in sync-schedule.ts; the wire in
 * relay.ts and sync.ts.
 */
import { TypedEventEmitter } from 'main-event'
import { Lifecycle } from '../util/lifecycle.js'
import type { Logger } from 'pino'
import type { Membership } from '../membership/index.js'
import type {
  ControlChannel,
  ControlFrame,
  ControlVerdict,
  Libp2pSurface,
  LiveConfig,
  NodeIdentity,
} from '../node/ports.js'
import type { StepKeys } from './auth.js'
import { encodeJsonPayload } from '../protocol/json-payload.js'
import type { RoleManager } from '../roles/index.js'
import { AdviceApplier } from './applier.js'
import type { UpdateHandler } from './apply.js'
import { AuditTrail, type AdviceAudit, type IssueMeta } from './audit.js'
import { INGEST_QUEUE_LIMIT, SYNC_PEERS_PER_ROUND } from './constants.js'
import type { AdviceEvents } from './events.js'
import { AdviceInbound } from './inbound.js'
import { IngestQueue } from './ingest-queue.js'
import { AdviceIssuer } from './issuer.js'
import { restore } from './persistence.js'
import { PrincipalForwarder } from './principal-forwarder.js'
import { AdviceRecorder } from './recorder.js'
import { AdviceRelay } from './relay.js'
import { ROLLBACK_TTL_MS } from './stamp.js'
import { AdviceState } from './state.js'
import { MemoryAdviceStore, type AdviceStore } from './store.js'
import { AdviceSync, emptySyncStats } from './sync.js'
import { SyncSchedule, syncPeriodMs } from './sync-schedule.js'
import type { Advice, AdviceResult, AdviceView } from './types.js'

export type { AdviceEvents } from './events.js'

/** What advice uses of the node: identity, control frames, live config, libp2p, step keys. */
export type AdviceNode = NodeIdentity &
  LiveConfig &
  ControlChannel & { readonly libp2p: Libp2pSurface; readonly generator: StepKeys }

export interface AdviceServiceComponents {
  node: AdviceNode
  /** Without roles this node stamps its own advice (term 0): tests and tools. */
  roles?: Pick<
    RoleManager,
    'principal' | 'term' | 'isPrincipal' | 'roles' | 'setWeight' | 'setEligible' | 'checkFencing'
  >
  members?: Pick<Membership, 'members'>
  store?: AdviceStore
  audit?: AdviceAudit
  logger?: Logger
}

export interface AdviceServiceInit {
  /** Anti-entropy period (default SYNC_EVERY_HEARTBEATS heartbeats); 0 turns the loop off. */
  syncIntervalMs?: number
  now?: () => number
}

export interface AdviceStats {
  advice: number
  results: number
  received: number
  duplicates: number
  invalid: number
  /** Live advice whose term was older than ours (history from a deposed principal). */
  staleTerm: number
  /** Frames dropped because the ingest queue was full (anti-entropy fetches them later). */
  dropped: number
  sync: AdviceSync['stats']
}

export class AdviceService extends TypedEventEmitter<AdviceEvents> {
  private readonly c: AdviceServiceComponents
  private readonly store: AdviceStore
  private readonly state = new AdviceState()
  private readonly applier: AdviceApplier
  private readonly handlers: UpdateHandler[] = []
  private readonly now: () => number
  private readonly log: Logger | undefined
  private readonly counters = { received: 0, duplicates: 0, invalid: 0, staleTerm: 0, dropped: 0 }
  private readonly trail: AuditTrail
  private readonly queue: IngestQueue
  private readonly recorder: AdviceRecorder
  private readonly forwarder: PrincipalForwarder
  private readonly issuer: AdviceIssuer
  private readonly inbound: AdviceInbound
  private readonly schedule: SyncSchedule
  private relay_: AdviceRelay | undefined
  private sync_: AdviceSync | undefined
  private readonly lifecycle = new Lifecycle()
  private controller = new AbortController()

  constructor(components: AdviceServiceComponents, init: AdviceServiceInit = {}) {
    super()
    this.c = components
    const node = components.node
    this.store = components.store ?? new MemoryAdviceStore()
    this.now = init.now ?? (() => Date.now())
    this.log = components.logger?.child({ component: 'advice' })
    this.trail = new AuditTrail({
      audit: components.audit,
      now: this.now,
      view: (id) => this.state.view(id, this.now()),
      logger: this.log,
    })
    this.applier = new AdviceApplier({
      node,
      roles: components.roles,
      logger: components.logger,
      handlers: this.handlers,
      updates: new Map(),
      eligible: { value: true },
    })
    this.queue = new IngestQueue({
      limit: INGEST_QUEUE_LIMIT,
      onDrop: () => {
        this.counters.dropped++
      },
      logger: this.log,
    })
    this.recorder = new AdviceRecorder({
      node,
      state: this.state,
      store: this.store,
      applier: this.applier,
      trail: this.trail,
      events: this,
      counters: this.counters,
      now: this.now,
      onStored: (advice) => this.forwarder.arrived(advice),
      publishResult: (result) => this.publishResult(result),
    })
    this.forwarder = new PrincipalForwarder({
      node,
      relay: () => this.relay_,
      accept: async (advice) => {
        await this.queue.enqueue(async () => await this.recorder.ingestAdvice(advice))
        return this.state.advice.get(advice.id) ?? advice
      },
      logger: this.log,
    })
    this.issuer = new AdviceIssuer({
      node,
      roles: components.roles,
      members: components.members,
      state: this.state,
      recorder: this.recorder,
      queue: this.queue,
      forwarder: this.forwarder,
      trail: this.trail,
      now: this.now,
      logger: this.log,
    })
    this.inbound = new AdviceInbound({
      logger: this.log,
      roles: components.roles,
      counters: this.counters,
      queue: this.queue,
      issuer: this.issuer,
      recorder: this.recorder,
    })
    this.schedule = new SyncSchedule({
      periodMs: () => syncPeriodMs(init.syncIntervalMs, node.config.heartbeatIntervalMs),
      round: async () => await this.sync_?.round(SYNC_PEERS_PER_ROUND),
      logger: this.log,
    })
  }

  /** Registers a handler of UPDATE advice; returns the unregister function. */
  onUpdate(handler: UpdateHandler): () => void {
    this.handlers.push(handler)
    return () => {
      const i = this.handlers.indexOf(handler)
      if (i >= 0) this.handlers.splice(i, 1)
    }
  }

  /** The value an UPDATE key holds here, and the advice that set it. */
  update(key: string): { value: unknown; adviceId: string } | undefined {
    return this.applier.target.updates.get(key)
  }

  /** The advice whose value `key` holds here (`config:stepWindow`, `role:weight`, `update:x`). */
  winner(key: string): string | undefined {
    return this.applier.winner(key)
  }

  async start(): Promise<void> {
    await this.lifecycle.start(
      async () => await this.startParts(),
      async () => await this.stopParts(),
    )
  }

  async stop(): Promise<void> {
    await this.lifecycle.stop(async () => await this.stopParts())
  }

  private async startParts(): Promise<void> {
    this.controller = new AbortController()
    await this.load()
    const node = this.c.node
    const base = {
      libp2p: node.libp2p,
      keys: node.generator,
      step: () => node.step,
      timeoutMs: () => node.config.timeoutMs,
      logger: this.log,
    }
    this.relay_ = new AdviceRelay({
      ...base,
      stamp: async (request) => await this.issuer.stamp(request),
    })
    this.sync_ = new AdviceSync({
      ...base,
      index: () => this.state.index(this.now()),
      items: (hashes) => this.state.items(hashes),
      ingest: async (items) => await this.inbound.ingestItems(items),
    })
    await this.relay_.start()
    await this.sync_.start()
    const signal = this.controller.signal
    node.handleControl('advice', this.onControl, { signal })
    node.handleControl('advice-status', this.onControl, { signal })
    this.schedule.start(signal)
  }

  private async stopParts(): Promise<void> {
    this.trail.stop()
    this.controller.abort()
    await this.relay_?.stop()
    await this.sync_?.stop()
    await this.queue.drain()
    await this.store.close()
  }

  /** Takes a request; resolves with the stamped advice once it is persisted here and at the principal. */
  async issue(request: unknown, meta?: IssueMeta): Promise<Advice> {
    return await this.issuer.issue(request, meta)
  }

  /** A new advice restoring, on every target, what `id` replaced. */
  async rollback(id: string, ttlMs = ROLLBACK_TTL_MS, meta?: IssueMeta): Promise<Advice> {
    return await this.issuer.rollback(id, ttlMs, meta)
  }

  get(id: string): AdviceView | undefined {
    return this.state.view(id, this.now())
  }

  list(): AdviceView[] {
    return this.state.list(this.now())
  }

  stats(): AdviceStats {
    return {
      advice: this.state.advice.size,
      results: [...this.state.results.values()].reduce((n, m) => n + m.size, 0),
      ...this.counters,
      sync: this.sync_?.stats ?? emptySyncStats(),
    }
  }

  /** One anti-entropy round now (tests, benchmarks); resolves with the items pulled. */
  async syncNow(peers = SYNC_PEERS_PER_ROUND): Promise<number> {
    return (await this.sync_?.round(peers)) ?? 0
  }

  /** The anti-entropy client (tests, benchmarks: sync with one given peer). */
  get sync(): AdviceSync | undefined {
    return this.sync_
  }

  private readonly onControl = (frame: ControlFrame): ControlVerdict =>
    this.inbound.onControl(frame.envelope)

  /** This node's own result, to the others (anti-entropy carries it if this fails). */
  private publishResult(result: AdviceResult): void {
    if (this.lifecycle.status !== 'started' && this.lifecycle.status !== 'starting') return
    this.c.node.sendControl('advice-status', encodeJsonPayload(result)).catch((err: unknown) => {
      this.log?.debug({ err }, 'advice-status broadcast failed; anti-entropy will carry it')
    })
  }

  /** Loads the log; the advice this node never answered (a crash in between) are evaluated. */
  private async load(): Promise<void> {
    const unanswered = await restore(this.store, this.state, this.applier, this.c.node.peerId)
    for (const advice of unanswered)
      void this.queue.enqueue(async () => await this.recorder.evaluateIfTarget(advice))
  }
}
