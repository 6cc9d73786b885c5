/**
 * AdviceService: advice on one node (DESIGN §6). Takes requests (issue, rollback) and relays
 * them to the principal; as principal stamps them (term, version vectors, resolved targets),
 * persists and broadcasts them (`advice` control frames); as a target evaluates and applies
 * them and broadcasts its result (`advice-status`); holds everything persisted; and runs
 * anti-entropy so that nothing unexpired is missed. Thin: the rules live in versions.ts,
 * targets.ts, aggregate.ts, validate.ts, applier.ts; the wire in relay.ts and sync.ts.
 */
import { randomUUID } from 'node:crypto'
import { peerIdFromString } from '@libp2p/peer-id'
import { TypedEventEmitter } from 'main-event'
import type { Logger } from 'pino'
import type { Membership } from '../membership/index.js'
import type { MeshMessage, MeshNode } from '../node/index.js'
import { decodeJsonPayload, encodeJsonPayload } from '../protocol/json-payload.js'
import type { RoleManager } from '../roles/index.js'
import { AdviceApplier } from './applier.js'
import type { UpdateHandler } from './apply.js'
import { AuditTrail, type AdviceAudit, type IssueMeta } from './audit.js'
import {
  INGEST_QUEUE_LIMIT,
  MAX_PAYLOAD_BYTES,
  MAX_TTL_MS,
  MIN_TTL_MS,
  SYNC_EVERY_HEARTBEATS,
  SYNC_PEERS_PER_ROUND,
} from './constants.js'
import { AdviceNotFoundError, InvalidAdviceError, NoPrincipalError } from './errors.js'
import { isAdvice, isAdviceResult } from './record-schema.js'
import { compactIfDue, restore } from './persistence.js'
import { AdviceRelay, type RelayedRequest } from './relay.js'
import { AdviceState } from './state.js'
import { MemoryAdviceStore, type AdviceRecord, type AdviceStore } from './store.js'
import { AdviceSync, emptySyncStats, type SyncItem } from './sync.js'
import { isTarget, resolveTargets } from './targets.js'
import type { Advice, AdviceRequest, AdviceResult, AdviceView } from './types.js'
import { adviceValues, validateAdviceRequest } from './validate.js'
import { compareVectors, nextVector, winnerOf } from './versions.js'

export type AdviceNode = Pick<
  MeshNode,
  | 'peerId'
  | 'step'
  | 'config'
  | 'applyConfig'
  | 'sendControl'
  | 'libp2p'
  | 'generator'
  | 'addEventListener'
  | 'removeEventListener'
>

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

export interface AdviceEvents {
  /** An advice became known here (issued, broadcast or pulled). */
  'advice.received': CustomEvent<{ advice: Advice }>
  /** A target's result became known here. */
  'advice.result': CustomEvent<{ result: AdviceResult }>
  /** This node applied a winner's value. */
  'advice.applied': CustomEvent<{ adviceId: string; keys: string[] }>
}

export class AdviceService extends TypedEventEmitter<AdviceEvents> {
  private readonly c: AdviceServiceComponents
  private readonly init: AdviceServiceInit
  private readonly store: AdviceStore
  private readonly state = new AdviceState()
  private readonly applier: AdviceApplier
  private readonly handlers: UpdateHandler[] = []
  private readonly now: () => number
  private relay_: AdviceRelay | undefined
  private sync_: AdviceSync | undefined
  private started = false
  private timer: ReturnType<typeof setTimeout> | undefined
  private chain: Promise<void> = Promise.resolve()
  private queued = 0
  /** Requests relayed over gossip, waiting for their stamped advice. */
  private readonly waiting = new Map<string, (advice: Advice) => void>()
  private readonly trail: AuditTrail
  private readonly counters = { received: 0, duplicates: 0, invalid: 0, staleTerm: 0, dropped: 0 }
  private readonly log: Logger | undefined

  constructor(components: AdviceServiceComponents, init: AdviceServiceInit = {}) {
    super()
    this.c = components
    this.init = init
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
      node: components.node,
      roles: components.roles,
      logger: components.logger,
      handlers: this.handlers,
      updates: new Map(),
      eligible: { value: true },
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
    if (this.started) return
    this.started = true
    await this.load()
    const node = this.c.node
    const base = {
      libp2p: node.libp2p,
      keys: node.generator,
      step: () => node.step,
      timeoutMs: () => node.config.timeoutMs,
      logger: this.log,
    }
    this.relay_ = new AdviceRelay({ ...base, stamp: async (request) => await this.stamp(request) })
    this.sync_ = new AdviceSync({
      ...base,
      index: () => this.state.index(this.now()),
      items: (hashes) => this.state.items(hashes),
      ingest: async (items) => await this.ingestItems(items),
    })
    await this.relay_.start()
    await this.sync_.start()
    node.addEventListener('control', this.onControl)
    this.schedule()
  }

  async stop(): Promise<void> {
    if (!this.started) return
    this.started = false
    clearTimeout(this.timer)
    this.timer = undefined
    this.trail.stop()
    this.c.node.removeEventListener('control', this.onControl)
    await this.relay_?.stop()
    await this.sync_?.stop()
    await this.chain
    await this.store.close()
  }

  /** Takes a request; resolves with the stamped advice once it is persisted here and at the principal. */
  async issue(request: unknown, meta?: IssueMeta): Promise<Advice> {
    let valid: AdviceRequest
    try {
      valid = validateAdviceRequest(request)
    } catch (err) {
      await this.trail.record(
        meta,
        'issue',
        undefined,
        request,
        `refused: ${(err as Error).message}`,
      )
      throw err
    }
    return await this.submit(
      { id: randomUUID(), origin: this.c.node.peerId, request: valid },
      meta,
      'issue',
    )
  }

  /** A new advice restoring, on every target, what `id` replaced. */
  async rollback(id: string, ttlMs = 60_000, meta?: IssueMeta): Promise<Advice> {
    const original = this.state.advice.get(id)
    if (original === undefined) throw new AdviceNotFoundError(id)
    const request: AdviceRequest = {
      type: original.type,
      target: original.target,
      payload: {},
      ttlMs,
    }
    return await this.submit(
      { id: randomUUID(), origin: this.c.node.peerId, request, rollbackOf: id },
      meta,
      'rollback',
    )
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

  // ── issuing ──────────────────────────────────────────────────────────────────────────────

  private async submit(
    relayed: RelayedRequest,
    meta: IssueMeta | undefined,
    event: 'issue' | 'rollback',
  ): Promise<Advice> {
    const roles = this.c.roles
    let advice: Advice
    try {
      if (roles === undefined || roles.isPrincipal) advice = await this.stamp(relayed)
      else {
        const principal = roles.principal
        if (principal === null) throw new NoPrincipalError('no principal is known yet; retry')
        advice = await this.relayTo(principal, relayed)
      }
    } catch (err) {
      await this.trail.record(meta, event, relayed.id, relayed, `failed: ${(err as Error).message}`)
      throw err
    }
    await this.trail.record(meta, event, advice.id, relayed, 'stamped', {
      issuer: advice.issuer,
      term: advice.term,
    })
    if (meta !== undefined) this.trail.watch(advice, meta)
    return advice
  }

  /**
   * To the principal over the relay protocol when connected to it; otherwise (a k-peer mesh
   * where the principal is no neighbour, or the direct request failed) as a `relay` control
   * frame over gossip. Resolves once the stamped advice is persisted here.
   */
  private async relayTo(principal: string, relayed: RelayedRequest): Promise<Advice> {
    const node = this.c.node
    if (node.libp2p.getConnections(peerIdFromString(principal)).length > 0) {
      try {
        const stamped = await this.relay_!.relay(principal, relayed)
        await this.enqueue(async () => await this.ingestAdvice(stamped))
        return this.state.advice.get(stamped.id) ?? stamped
      } catch (err) {
        this.log?.debug({ err }, 'direct relay failed; relaying over gossip')
      }
    }
    const timeoutMs = node.config.timeoutMs
    let timer: ReturnType<typeof setTimeout> | undefined
    const arrived = new Promise<Advice>((resolve, reject) => {
      this.waiting.set(relayed.id, resolve)
      timer = setTimeout(
        () =>
          reject(
            new NoPrincipalError(`no stamped advice from ${principal} within ${timeoutMs} ms`),
          ),
        timeoutMs,
      )
    })
    try {
      await node.sendControl('advice', encodeJsonPayload({ relay: relayed }))
      return await arrived
    } finally {
      clearTimeout(timer)
      this.waiting.delete(relayed.id)
    }
  }

  /** The principal's side: stamp, persist, broadcast. */
  private async stamp(relayed: RelayedRequest): Promise<Advice> {
    const roles = this.c.roles
    if (roles !== undefined && !roles.isPrincipal)
      throw new NoPrincipalError(
        `not the principal (the principal is ${roles.principal ?? 'unknown'})`,
      )
    if (!isRelayFrame({ relay: relayed })) throw new InvalidAdviceError('malformed relayed request')
    const held = this.state.advice.get(relayed.id)
    if (held !== undefined) {
      // A retry (the answer to the first request was lost): broadcast it again for the origin.
      this.broadcast(held)
      return held
    }
    const self = this.c.node.peerId
    let values: Record<string, unknown>
    let restore: Record<string, unknown> | undefined
    let request = relayed.request
    if (relayed.rollbackOf !== undefined) {
      const original = this.state.advice.get(relayed.rollbackOf)
      if (original === undefined) throw new AdviceNotFoundError(relayed.rollbackOf)
      const ttl = Number(request?.ttlMs)
      request = {
        type: original.type,
        target: original.target,
        payload: {},
        ttlMs: Number.isSafeInteger(ttl) ? Math.min(MAX_TTL_MS, Math.max(MIN_TTL_MS, ttl)) : 60_000,
      }
      restore = this.restoreOf(original)
      values = restore
    } else {
      request = validateAdviceRequest(request)
      values = adviceValues(request.type, request.payload)
    }
    const keys = Object.keys(values)
    const now = this.now()
    const advice: Advice = {
      id: relayed.id,
      type: request.type,
      target: request.target,
      payload: request.payload,
      expiry: now + request.ttlMs,
      issuer: self,
      origin: relayed.origin,
      term: roles?.term ?? 0,
      step: this.c.node.step,
      issuedAt: now,
      keys,
      version: Object.fromEntries(keys.map((k) => [k, nextVector(this.state.known.get(k), self)])),
      resolved: resolveTargets(request.target, this.targetMembers()),
      ...(relayed.rollbackOf !== undefined ? { rollbackOf: relayed.rollbackOf, restore } : {}),
    }
    // Durable before anyone hears of it: an acknowledged advice survives a kill -9.
    await this.ingestAdvice(advice, false)
    this.broadcast(advice)
    void this.enqueue(async () => await this.evaluateIfTarget(advice))
    return advice
  }

  private broadcast(advice: Advice): void {
    this.c.node.sendControl('advice', encodeJsonPayload(advice)).catch((err: unknown) => {
      this.log?.debug({ err }, 'advice broadcast failed; anti-entropy will carry it')
    })
  }

  /** Per key, the value before `original`: the winner among what its version had seen. */
  private restoreOf(original: Advice): Record<string, unknown> {
    const out: Record<string, unknown> = {}
    for (const key of original.keys) {
      const before = [...this.state.advice.values()].filter(
        (a) =>
          a.keys.includes(key) &&
          compareVectors(a.version[key] ?? {}, original.version[key] ?? {}) === 'before',
      )
      const previous = winnerOf(key, before)
      if (previous === undefined) out[key] = null
      else if (previous.rollbackOf !== undefined) out[key] = previous.restore?.[key] ?? null
      else out[key] = adviceValues(previous.type, previous.payload)[key] ?? null
    }
    return out
  }

  private targetMembers(): Array<{ peerId: string; roles: string[]; alive: boolean }> {
    const self = {
      peerId: this.c.node.peerId,
      roles: this.c.roles?.roles ?? ['member'],
      alive: true,
    }
    const others = (this.c.members?.members() ?? []).map((m) => ({
      peerId: m.id,
      roles: m.roles,
      alive: m.status !== 'dead',
    }))
    return [self, ...others.filter((m) => m.peerId !== self.peerId)]
  }

  // ── receiving ────────────────────────────────────────────────────────────────────────────

  private readonly onControl = (event: CustomEvent<MeshMessage>): void => {
    const { kind, senderId, data } = event.detail.envelope
    if (kind !== 'advice' && kind !== 'advice-status') return
    this.counters.received++
    const parsed = decodeJsonPayload(data, MAX_PAYLOAD_BYTES * 4)
    if (!parsed.ok) {
      this.counters.invalid++
      return
    }
    if (kind === 'advice' && isRelayFrame(parsed.value)) {
      const relayed = parsed.value.relay
      // A request relayed over gossip: the principal stamps it (and broadcasts the advice).
      if (relayed.origin !== senderId || (this.c.roles !== undefined && !this.c.roles.isPrincipal))
        return
      void this.enqueue(async () => await this.stamp(relayed))
    } else if (kind === 'advice') {
      const advice = parsed.value
      if (!isAdvice(advice) || advice.issuer !== senderId) {
        this.counters.invalid++
        return
      }
      const fencing = this.c.roles?.checkFencing(advice.term, advice.issuer)
      if (fencing !== undefined && !fencing.ok && fencing.code === 'STALE_TERM')
        this.counters.staleTerm++
      void this.enqueue(async () => await this.ingestAdvice(advice))
    } else {
      const result = parsed.value
      if (!isAdviceResult(result) || result.target !== senderId) {
        this.counters.invalid++
        return
      }
      void this.enqueue(async () => await this.ingestResult(result))
    }
  }

  /** Serial, bounded processing of received frames: beyond the limit, drop and count. */
  private enqueue(work: () => Promise<unknown>): Promise<void> {
    if (this.queued >= INGEST_QUEUE_LIMIT) {
      this.counters.dropped++
      return Promise.resolve()
    }
    this.queued++
    const next = this.chain.then(work).then(
      () => undefined,
      (err: unknown) => this.log?.warn({ err }, 'advice processing failed'),
    )
    this.chain = next.finally(() => {
      this.queued--
    })
    return this.chain
  }

  private async ingestItems(items: readonly SyncItem[]): Promise<void> {
    const advice = items
      .flatMap((item) => ('advice' in item && isAdvice(item.advice) ? [item.advice] : []))
      .sort((a, b) => a.issuedAt - b.issuedAt)
    const results = items.flatMap((item) =>
      'result' in item && isAdviceResult(item.result) ? [item.result] : [],
    )
    this.counters.invalid += items.length - advice.length - results.length
    await this.enqueue(async () => {
      for (const a of advice) await this.ingestAdvice(a)
      for (const r of results) await this.ingestResult(r)
    })
  }

  /** Stores an advice once; as a target, evaluates it (unless `evaluate` is false). */
  private async ingestAdvice(advice: Advice, evaluate = true): Promise<void> {
    if (!this.state.addAdvice(advice)) {
      this.counters.duplicates++
      return
    }
    await this.store.append([{ t: 'advice', advice }])
    this.waiting.get(advice.id)?.(advice)
    this.safeDispatchEvent('advice.received', { detail: { advice } })
    if (evaluate) await this.evaluateIfTarget(advice)
    await this.maybeCompact()
  }

  private async evaluateIfTarget(advice: Advice): Promise<void> {
    const self = this.c.node.peerId
    if (!isTarget(advice, self) || this.state.result(advice.id, self) !== undefined) return
    if (this.now() > advice.expiry) {
      await this.report({
        adviceId: advice.id,
        target: self,
        status: 'rejected',
        reason: 'expired',
        at: this.now(),
      })
      return
    }
    const evaluation = await this.applier.evaluate(advice)
    if (evaluation.baselines.length > 0)
      await this.store.append(
        evaluation.baselines.map((b) => ({ t: 'baseline', ...b }) as AdviceRecord),
      )
    if (evaluation.applied.length > 0)
      this.safeDispatchEvent('advice.applied', {
        detail: { adviceId: advice.id, keys: evaluation.applied },
      })
    await this.report({
      adviceId: advice.id,
      target: self,
      status: evaluation.status,
      ...(evaluation.reason !== undefined ? { reason: evaluation.reason } : {}),
      at: this.now(),
    })
  }

  /** Stores and broadcasts this node's own result. */
  private async report(result: AdviceResult): Promise<void> {
    await this.ingestResult(result)
    if (!this.started) return
    this.c.node.sendControl('advice-status', encodeJsonPayload(result)).catch((err: unknown) => {
      this.log?.debug({ err }, 'advice-status broadcast failed; anti-entropy will carry it')
    })
  }

  private async ingestResult(result: AdviceResult): Promise<void> {
    if (!this.state.addResult(result)) {
      this.counters.duplicates++
      return
    }
    await this.store.append([{ t: 'result', result }])
    this.safeDispatchEvent('advice.result', { detail: { result } })
    this.trail.check(result.adviceId)
  }

  // ── persistence, loop, audit ─────────────────────────────────────────────────────────────

  private async load(): Promise<void> {
    const unanswered = await restore(this.store, this.state, this.applier, this.c.node.peerId)
    for (const advice of unanswered)
      void this.enqueue(async () => await this.evaluateIfTarget(advice))
  }

  private async maybeCompact(): Promise<void> {
    await compactIfDue(this.store, this.state, this.applier, this.now())
  }

  private schedule(): void {
    const period =
      this.init.syncIntervalMs ?? SYNC_EVERY_HEARTBEATS * this.c.node.config.heartbeatIntervalMs
    if (period <= 0 || !this.started) return
    const jitter = period * (0.75 + Math.random() * 0.5)
    this.timer = setTimeout(() => {
      void this.sync_
        ?.round(SYNC_PEERS_PER_ROUND)
        .catch((err: unknown) => this.log?.debug({ err }, 'advice sync'))
        .finally(() => this.schedule())
    }, jitter)
  }
}

/** A `relay` control frame: `{ relay: { id, origin, request, rollbackOf? } }`. */
function isRelayFrame(value: unknown): value is { relay: RelayedRequest } {
  const relay = (value as { relay?: Partial<RelayedRequest> } | null)?.relay
  return (
    typeof relay === 'object' &&
    relay !== null &&
    typeof relay.id === 'string' &&
    relay.id.length <= 128 &&
    typeof relay.origin === 'string' &&
    typeof relay.request === 'object' &&
    relay.request !== null &&
    (relay.rollbackOf === undefined || typeof relay.rollbackOf === 'string')
  )
}
