/**
 * Retention and repair (DESIGN §15, PROTOCOL.md §9): broadcast becomes at-least-once within
 * `retentionMs`. The service taps the node's data path (DeliveryPort): every accepted frame,
 * and our own, is kept in a bounded buffer; the ledger dedups deliveries by (sender, seq) and
 * finds gaps. Missing frames are asked for over `/patternmesh/repair/1.0.0`, the sender first,
 * then the other connected peers, with backoff; answers are verified like gossip.
 *
 * This file is the orchestrator: the tap, the lifecycle, the tick and the stats. The serving
 * side is `repair-server.ts`, the asking side (peer choice, backoff) `repair-client.ts`, the
 * heads exchange `heads-exchange.ts`, the verification of repaired frames `repaired-frames.ts`.
 */
import { TypedEventEmitter } from 'main-event'
import type { Logger } from 'pino'
import type {
  AcceptedDataFrame,
  DeliveryPort,
  Libp2pSurface,
  LiveConfig,
  NodeEvents,
  NodeIdentity,
  Service,
} from '../node/ports.js'
import type { Envelope, VerifyResult } from '../protocol/index.js'
import {
  SAVE_INTERVAL_MS,
  SNAPSHOT_MAX_RANGES,
  SNAPSHOT_MAX_SENDERS,
  TICK_MS,
} from './constants.js'
import type { DeliveredStore } from './delivered-store.js'
import { HeadsExchange } from './heads-exchange.js'
import { DeliveryLedger, type Unrecoverable } from './ledger.js'
import { RepairClient } from './repair-client.js'
import { serveRepair, unserveRepair } from './repair-server.js'
import { RepairedFrames, repairMaxAgeSteps } from './repaired-frames.js'
import { RetentionBuffer, type RetentionStats } from './retention.js'

export interface RepairComponents {
  identity: NodeIdentity
  liveConfig: LiveConfig
  events: NodeEvents
  libp2p: Libp2pSurface
  delivery: DeliveryPort
  logger?: Logger
}

export interface RepairInit {
  now?: () => number
  random?: () => number
  /** Test hook: a gossiped frame for which it returns true is lost here (never seen). */
  dropGossip?: (envelope: Envelope) => boolean
  /** A missing frame is asked for this long after it was noticed (it may be on its way). */
  graceMs?: number
  /**
   * Where what was delivered is kept across restarts (the daemon's `delivered.json`): without
   * it a restarted node delivers again what its peers still keep.
   */
  store?: DeliveredStore
}

export interface RepairStats {
  retention: RetentionStats
  /** Frames delivered after a repair. */
  repaired: number
  /** Copies dropped: delivered before (gossip and repair both brought them). */
  duplicates: number
  /** Messages given up on: missing for longer than retentionMs (patternmesh_messages_unrecoverable_total). */
  unrecoverable: number
  /** Seqs missing now, all senders. */
  missing: number
  requests: number
  requestFailures: number
  /** Frame bytes received in repair answers. */
  repairBytes: number
  /** Frames of repair answers rejected (forged, tampered, unrequested). */
  rejected: number
  /** Requests this node refused (malformed, too large). */
  refused: number
  /** Retained frames not served: stamped under a key this node no longer holds. */
  withheld: number
  /** Test hook drops. */
  dropped: number
}

export interface RepairEvents {
  'delivery.unrecoverable': CustomEvent<Unrecoverable>
  'delivery.rejected': CustomEvent<{ from: string; result: VerifyResult }>
}

const EMPTY_STATS = {
  repaired: 0,
  requests: 0,
  requestFailures: 0,
  repairBytes: 0,
  rejected: 0,
  refused: 0,
  withheld: 0,
  dropped: 0,
}

export class RepairService extends TypedEventEmitter<RepairEvents> implements Service {
  private readonly c: RepairComponents
  private readonly now: () => number
  private readonly random: () => number
  private readonly dropGossip: RepairInit['dropGossip']
  private readonly store: DeliveredStore | undefined
  /** The ledger's `changes` at the last save, and the save under way. */
  private savedChanges = 0
  private saving: Promise<void> | undefined
  private nextSaveAt = 0
  private readonly log: Logger | undefined
  readonly ledger = new DeliveryLedger()
  readonly retention: RetentionBuffer
  private controller: AbortController | undefined
  private readonly counts = { ...EMPTY_STATS }
  private readonly client: RepairClient
  private readonly heads: HeadsExchange
  private readonly frames: RepairedFrames

  constructor(components: RepairComponents, init: RepairInit = {}) {
    super()
    this.c = components
    this.now = init.now ?? Date.now
    this.random = init.random ?? Math.random
    this.dropGossip = init.dropGossip
    this.store = init.store
    this.log = components.logger?.child({ component: 'repair' })
    const config = components.liveConfig.config
    this.retention = new RetentionBuffer({
      maxAgeMs: config.retentionMs,
      maxBytes: config.retentionBytes,
    })
    const now = (): number => this.now()
    this.frames = new RepairedFrames({
      liveConfig: components.liveConfig,
      delivery: components.delivery,
      ledger: this.ledger,
      counts: this.counts,
      blame: (from) => this.client.blame(from),
      rejected: (from, result) =>
        this.safeDispatchEvent('delivery.rejected', { detail: { from, result } }),
      log: this.log,
    })
    this.client = new RepairClient(
      {
        libp2p: components.libp2p,
        ledger: this.ledger,
        counts: this.counts,
        now,
        running: () => this.controller !== undefined,
        take: (from, sender, ranges, frames) => this.frames.take(from, sender, ranges, frames),
        log: this.log,
      },
      { graceMs: init.graceMs ?? 200 },
    )
    this.heads = new HeadsExchange({
      identity: components.identity,
      ledger: this.ledger,
      now,
      random: () => this.random(),
      request: (peerId, request) => this.client.request(peerId, request),
      connected: () => this.client.connected(),
    })
  }

  get enabled(): boolean {
    return this.c.liveConfig.config.retentionMs > 0
  }

  async start(): Promise<void> {
    if (this.controller !== undefined || !this.enabled) return
    const controller = new AbortController()
    this.controller = controller
    const signal = controller.signal
    // Before the tap takes a frame, and with no await in between (the message log starts in
    // the same step, peer/services.ts): what was delivered before the restart counts.
    this.restore()
    this.c.delivery.tapData(
      { accepted: (frame) => this.accepted(frame), sealed: (frames) => this.sealed(frames) },
      { signal },
    )
    await serveRepair({
      libp2p: this.c.libp2p,
      retention: this.retention,
      counts: this.counts,
      now: () => this.now(),
      vouch: (frame) => this.vouches(frame),
      log: this.log,
    })
    // A peer (re)connecting may be back from a partition or a restart: compare heads at once.
    this.c.events.addEventListener(
      'peer.connected',
      (event) => this.heads.connected(event.detail.peerId, this.now()),
      { signal },
    )
    this.c.events.addEventListener(
      'config.changed',
      () => {
        const config = this.c.liveConfig.config
        this.retention.setLimits(config.retentionMs, config.retentionBytes)
      },
      { signal },
    )
    const timer = setInterval(() => this.tick(), TICK_MS)
    signal.addEventListener('abort', () => clearInterval(timer))
  }

  async stop(): Promise<void> {
    const controller = this.controller
    if (controller === undefined) return
    this.controller = undefined
    controller.abort()
    await unserveRepair(this.c.libp2p)
    await this.save(true)
  }

  stats(): RepairStats {
    const missing = this.ledger.missing().reduce((n, m) => n + m.count, 0)
    return {
      ...this.counts,
      retention: this.retention.stats(),
      duplicates: this.ledger.duplicates,
      unrecoverable: this.ledger.unrecoverable,
      missing,
    }
  }

  /** Asks `peerId` what it retains, and notes what of it never reached us. */
  async exchangeHeads(peerId: string): Promise<number> {
    return await this.heads.exchange(peerId)
  }

  /** A retained frame this node would accept now (its keys, its retention): served. */
  private vouches(frame: Uint8Array): boolean {
    const maxAgeSteps = repairMaxAgeSteps(this.c.liveConfig.config)
    return this.c.delivery.verifyRepaired(frame, maxAgeSteps).verdict === 'accept'
  }

  // The tap (synchronous, inside gossipsub's validator).

  private accepted(frame: AcceptedDataFrame): boolean {
    const { senderId, seq } = frame.envelope
    if (!this.frames.repairing && this.dropGossip?.(frame.envelope) === true) {
      this.counts.dropped++
      return false
    }
    const now = this.now()
    this.retention.add(senderId, seq, frame.frame, now)
    const admitted = this.ledger.admit(senderId, seq, now)
    // A new run of the sender, or a long outage here: what lies between, only heads can tell.
    if (admitted.jump) void this.exchangeHeads(senderId)
    return admitted.fresh
  }

  private sealed(frames: ReadonlyArray<{ seq: number; frame: Uint8Array }>): void {
    const now = this.now()
    const self = this.c.identity.peerId
    for (const { seq, frame } of frames) this.retention.add(self, seq, frame, now)
  }

  // The schedule: give up on what is too old, exchange heads when due, ask for what is missing.

  private tick(): void {
    if (this.controller === undefined) return
    const now = this.now()
    const config = this.c.liveConfig.config
    this.retention.evict(now)
    for (const lost of this.ledger.expire(now, config.retentionMs)) {
      this.log?.warn(lost, 'messages unrecoverable: missing longer than retentionMs')
      this.safeDispatchEvent('delivery.unrecoverable', { detail: lost })
    }
    this.heads.tick(now)
    this.client.askMissing(now)
    if (now >= this.nextSaveAt) {
      this.nextSaveAt = now + SAVE_INTERVAL_MS
      void this.save(false)
    }
  }

  // What was delivered, across restarts.

  private restore(): void {
    if (this.store === undefined) return
    try {
      const snapshot = this.store.load()
      if (snapshot === undefined) return
      this.ledger.restore(snapshot, this.now())
      this.savedChanges = this.ledger.changes
      this.log?.info(
        { senders: snapshot.senders.length },
        'delivered seqs restored: what was delivered before the restart is not delivered again',
      )
    } catch (err) {
      // Unreadable: start empty (peers' frames may then be delivered again), and say so.
      this.log?.warn({ err }, 'delivered seqs not restored; starting without them')
    }
  }

  /** Saves the ledger if it changed since the last save (one save at a time; errors logged). */
  private async save(final: boolean): Promise<void> {
    if (this.store === undefined) return
    if (this.saving !== undefined) {
      await this.saving
      // A save finished meanwhile; at stop, what changed after it must be saved too.
      if (!final) return
    }
    const changes = this.ledger.changes
    if (changes === this.savedChanges) return
    const snapshot = this.ledger.snapshot(SNAPSHOT_MAX_SENDERS, SNAPSHOT_MAX_RANGES)
    this.saving = this.store
      .save(snapshot)
      .then(
        () => {
          this.savedChanges = changes
        },
        (err: unknown) => this.log?.warn({ err }, 'saving the delivered seqs failed'),
      )
      .finally(() => {
        this.saving = undefined
      })
    await this.saving
  }
}

/** The factory, js-libp2p style. */
export function repairService(init?: RepairInit) {
  return (components: RepairComponents) => new RepairService(components, init)
}
