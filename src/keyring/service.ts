/**
 * KeyringService (DESIGN §16, Serf's keyring): install, use, remove and list the network keys
 * of the mesh. An operation changes this node's keyring (keyring.json and the live keys of the
 * node), then is pushed to every alive member over `/patternmesh/keyring/1.0.0`, which answers
 * with its keyring: the per-member result is whether the operation took there. The same
 * exchange runs as anti-entropy (a random peer every few heartbeats, and every peer as it
 * connects), so a member that was down gets every operation when it returns. Key bytes travel
 * only inside these noise-encrypted, MACed streams; logs, events and answers name key ids.
 */
import { sample } from '../util/sample.js'
import { peerIdFromString } from '@libp2p/peer-id'
import { TypedEventEmitter } from 'main-event'
import type { Logger } from 'pino'
import type { HeartbeatEvents, HeartbeatKeyring, Membership } from '../membership/index.js'
import type { Libp2pSurface, LiveConfig, NodeEvents, NodeIdentity, Service } from '../node/ports.js'
import type { PatternKeySet } from '../pattern/index.js'
import { requestOnce, serveRequests } from '../rpc/request-response.js'
import { sleep } from '../util/abortable.js'
import { Lifecycle } from '../util/lifecycle.js'
import { audited, type KeyAudit, type KeyOpMeta } from './audit.js'
import { openKeyringMessage, sealKeyringMessage } from './auth.js'
import {
  KEYRING_PROTOCOL,
  MAX_KEYRING_MESSAGE_BYTES,
  PUSH_CONCURRENCY,
  SYNC_EVERY_HEARTBEATS,
} from './constants.js'
import {
  install,
  installedIds,
  KeyringOpError,
  merge,
  parseState,
  remove,
  use,
  type KeyOp,
  type KeyringState,
} from './state.js'
import { PrimaryRetirements } from './retirement.js'
import { applyState, MemoryKeyringStore, stateOfKeys, type KeyringStore } from './store.js'

export interface KeyringComponents {
  identity: NodeIdentity
  /** The node's live keys: changed in place, read by seal and verify on every frame. */
  keys: PatternKeySet
  libp2p: Pick<Libp2pSurface, 'dialProtocol' | 'handle' | 'unhandle' | 'getPeers'>
  events: NodeEvents
  liveConfig: Pick<LiveConfig, 'config'>
  /** Alive members are the targets of a push; without membership, the connected peers. */
  members?: Pick<Membership, 'members'> | undefined
  /**
   * Members' heartbeats (Membership's `members.heartbeat`): each carries the key ids its sender
   * holds, so `list()` counts holders within a heartbeat of a change, not of an exchange.
   */
  heartbeats?: HeartbeatEvents | undefined
  store?: KeyringStore | undefined
  /** Where operations asked through the API are written (the daemon's key-audit.jsonl). */
  audit?: KeyAudit | undefined
  /**
   * Moves the step forward (never back). A member that returns with an old key could verify
   * no step announcement: the answer that brings the new key brings the answerer's step too.
   */
  clock?: { sync(step: number): boolean } | undefined
  logger?: Logger | undefined
}

export interface KeyringInit {
  /** Anti-entropy period; default SYNC_EVERY_HEARTBEATS heartbeat intervals; 0 turns it off. */
  syncIntervalMs?: number
  /** The clock of `remove`'s wait for retention (tests). */
  now?: () => number
}

export interface KeyView {
  id: string
  primary: boolean
  /** Members known to hold it, this node included. */
  members: number
}

export interface MemberKeyResult {
  member: string
  status: 'ok' | 'failed'
  detail?: string
}

export interface KeyOpResult {
  op: KeyOp
  id: string
  results: MemberKeyResult[]
}

export interface KeyringEvents {
  /** The keyring changed here (an operation, or one learnt from a member): ids only. */
  'keyring.changed': CustomEvent<{ primary: string; keys: string[]; source: string }>
}

export interface KeyringStats {
  exchanges: number
  failedExchanges: number
  served: number
  refused: number
}

/** What a member holds, as its last answer or heartbeat said. */
type Held = HeartbeatKeyring

const MAX_KNOWN_PEERS = 4096

export class KeyringService extends TypedEventEmitter<KeyringEvents> implements Service {
  private readonly c: KeyringComponents
  private readonly init: KeyringInit
  private readonly store: KeyringStore
  private readonly log: Logger | undefined
  private readonly lifecycle = new Lifecycle()
  private controller = new AbortController()
  private state!: KeyringState
  private saving: Promise<void> = Promise.resolve()
  /** Operations one at a time (a push must see its own change, not the next one's). */
  private ops: Promise<unknown> = Promise.resolve()
  private readonly held = new Map<string, Held>()
  private readonly inFlight = new Set<string>()
  private readonly retirements = new PrimaryRetirements()
  readonly stats: KeyringStats = { exchanges: 0, failedExchanges: 0, served: 0, refused: 0 }

  constructor(components: KeyringComponents, init: KeyringInit = {}) {
    super()
    this.c = components
    this.init = init
    this.store = components.store ?? new MemoryKeyringStore()
    this.log = components.logger?.child({ component: 'keyring' })
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
    const signal = this.controller.signal
    const loaded = await this.store.load()
    this.state = loaded ?? stateOfKeys(this.c.keys)
    if (loaded === undefined) await this.store.save(this.state)
    applyState(this.c.keys, this.state)
    await serveRequests(this.c.libp2p, KEYRING_PROTOCOL, (req, peer) => this.serve(req, peer), {
      timeoutMs: this.c.liveConfig.config.timeoutMs,
      maxRequestBytes: MAX_KEYRING_MESSAGE_BYTES,
      onError: (err, peer) => {
        this.stats.refused++
        this.log?.debug({ peer, err: (err as Error).message }, 'keyring exchange refused')
      },
    })
    // A member that returns learns what it missed from the first peer it meets.
    this.c.events.addEventListener(
      'peer.connected',
      (event) => void this.exchangeQuietly(event.detail.peerId),
      { signal },
    )
    this.c.heartbeats?.addEventListener(
      'members.heartbeat',
      (event) => {
        const { peerId, heartbeat } = event.detail
        if (heartbeat.keyring !== undefined) this.remember(peerId, heartbeat.keyring)
      },
      { signal },
    )
    void this.loop(signal)
  }

  private async stopParts(): Promise<void> {
    this.controller.abort()
    await this.c.libp2p.unhandle(KEYRING_PROTOCOL).catch(() => undefined)
    await this.saving
  }

  /** The keys, primary first, with how many members hold each (never the bytes). */
  list(): KeyView[] {
    const targets = this.targets()
    const ids = installedIds(this.state)
    const sorted = [this.state.primary.id, ...ids.filter((id) => id !== this.state.primary.id)]
    return sorted.map((id) => ({
      id,
      primary: id === this.state.primary.id,
      members: 1 + targets.filter((peer) => this.held.get(peer)?.ids.includes(id) === true).length,
    }))
  }

  /** Installs a key here and on every alive member; senders still stamp with the primary. */
  async install(hex: string, meta?: KeyOpMeta): Promise<KeyOpResult> {
    return await this.audited('install', undefined, meta, async () => {
      const { state, id } = install(this.state, hex)
      this.adopt(state, 'install')
      return { op: 'install', id, results: await this.push((h) => h.ids.includes(id)) }
    })
  }

  /**
   * Makes `id` the primary everywhere. The keyring is pushed first, so a member that missed the
   * install gets the key; if an alive member still lacks it the switch is refused, naming them.
   */
  async use(id: string, meta?: KeyOpMeta): Promise<KeyOpResult> {
    return await this.audited('use', id, meta, async () => {
      use(this.state, id) // checks it is installed here
      const before = await this.push((h) => h.ids.includes(id))
      const lacking = before.filter((r) => r.status !== 'ok')
      if (lacking.length > 0) {
        throw new KeyringOpError(
          'KEY_MISSING',
          `key ${id} is not installed on ${lacking.length} alive member(s): ${lacking
            .map((r) => `${r.member} (${r.detail ?? 'no answer'})`)
            .join(', ')}; install it there first`,
        )
      }
      this.adopt(use(this.state, id), 'use')
      return { op: 'use', id, results: await this.push((h) => h.primary === id) }
    })
  }

  /**
   * Removes a key (not the primary) here and on every alive member; refused for `retentionMs`
   * after it stopped being the primary here (retirement.ts).
   */
  async remove(id: string, meta?: KeyOpMeta): Promise<KeyOpResult> {
    return await this.audited('remove', id, meta, async () => {
      const next = remove(this.state, id)
      this.retirements.assertRemovable(id, this.now(), this.c.liveConfig.config.retentionMs)
      this.adopt(next, 'remove')
      return { op: 'remove', id, results: await this.push((h) => !h.ids.includes(id)) }
    })
  }

  /** One anti-entropy exchange with each of `count` random connected peers now (tests). */
  async syncNow(count = 1): Promise<void> {
    const peers = sample(this.c.libp2p.getPeers().map(String), count, Math.random)
    await Promise.all(peers.map(async (peer) => await this.exchangeQuietly(peer)))
  }

  /** One operation at a time, audited when `meta` says who asked. */
  private async audited(
    op: KeyOp,
    id: string | undefined,
    meta: KeyOpMeta | undefined,
    body: () => Promise<KeyOpResult>,
  ): Promise<KeyOpResult> {
    const run = this.ops.then(body, body)
    this.ops = run.catch(() => undefined)
    const onWriteError = (err: unknown): void =>
      this.log?.warn({ err: (err as Error).message }, 'key audit write failed')
    return await audited({ audit: this.c.audit, onWriteError }, op, id, meta, async () => await run)
  }

  /** Pushes the keyring to every target; `took` says whether its answer shows the change. */
  private async push(took: (held: Held) => boolean): Promise<MemberKeyResult[]> {
    const targets = this.targets()
    const results: MemberKeyResult[] = []
    for (let i = 0; i < targets.length; i += PUSH_CONCURRENCY) {
      const batch = targets.slice(i, i + PUSH_CONCURRENCY)
      results.push(
        ...(await Promise.all(
          batch.map(async (member): Promise<MemberKeyResult> => {
            try {
              const held = await this.exchange(member)
              return took(held)
                ? { member, status: 'ok' }
                : { member, status: 'failed', detail: 'answered without the change' }
            } catch (err) {
              return { member, status: 'failed', detail: (err as Error).message }
            }
          }),
        )),
      )
    }
    return results.sort((a, b) => a.member.localeCompare(b.member))
  }

  /** Alive members (not this node), or the connected peers when there is no membership. */
  private targets(): string[] {
    const self = this.c.identity.peerId
    const members = this.c.members
    if (members === undefined) return this.c.libp2p.getPeers().map(String)
    return members
      .members()
      .filter((m) => m.status === 'alive' && m.id !== self)
      .map((m) => m.id)
  }

  private async loop(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      const period =
        this.init.syncIntervalMs ??
        SYNC_EVERY_HEARTBEATS * this.c.liveConfig.config.heartbeatIntervalMs
      if (period <= 0) return
      await sleep(period * (0.75 + Math.random() * 0.5), signal)
      if (!signal.aborted) await this.syncNow(1)
    }
  }

  private async exchangeQuietly(peer: string): Promise<void> {
    if (this.inFlight.has(peer) || this.controller.signal.aborted) return
    this.inFlight.add(peer)
    try {
      await this.exchange(peer)
    } catch (err) {
      this.log?.debug({ peer, err: (err as Error).message }, 'keyring exchange failed')
    } finally {
      this.inFlight.delete(peer)
    }
  }

  /** Sends our keyring to `peer`, merges its answer; what it holds now. */
  private async exchange(peer: string): Promise<Held> {
    const keys = this.c.keys
    const step = this.c.identity.step
    const request = sealKeyringMessage(keys, keys.primaryId, step, { state: this.state })
    try {
      const answer = await requestOnce(
        this.c.libp2p,
        peerIdFromString(peer),
        KEYRING_PROTOCOL,
        request,
        {
          timeoutMs: this.c.liveConfig.config.timeoutMs,
          maxResponseBytes: MAX_KEYRING_MESSAGE_BYTES,
        },
      )
      const opened = openKeyringMessage(keys, this.c.identity.step, answer)
      if (opened === undefined) throw new Error('unauthenticated keyring answer')
      const theirs = parseState((opened.value as { state?: unknown }).state)
      if (this.adopt(merge(this.state, theirs), peer) && opened.step > step)
        this.c.clock?.sync(opened.step)
      const held = { ids: installedIds(theirs), primary: theirs.primary.id }
      this.remember(peer, held)
      this.stats.exchanges++
      return held
    } catch (err) {
      this.stats.failedExchanges++
      throw err
    }
  }

  private serve(request: Uint8Array, peer: string): Uint8Array {
    const keys = this.c.keys
    const opened = openKeyringMessage(keys, this.c.identity.step, request)
    if (opened === undefined) throw new Error('unauthenticated keyring request')
    const theirs = parseState((opened.value as { state?: unknown }).state)
    this.adopt(merge(this.state, theirs), peer)
    // It merges our answer: it then holds what we hold now.
    this.remember(peer, { ids: installedIds(this.state), primary: this.state.primary.id })
    this.stats.served++
    // Answered under the key it asked with, so a member with only an old key can read it.
    const keyId = keys.has(opened.keyId) ? opened.keyId : keys.primaryId
    return sealKeyringMessage(keys, keyId, this.c.identity.step, { state: this.state })
  }

  private now(): number {
    return (this.init.now ?? Date.now)()
  }

  private remember(peer: string, held: Held): void {
    if (!this.held.has(peer) && this.held.size >= MAX_KNOWN_PEERS) {
      const oldest = this.held.keys().next().value
      if (oldest !== undefined) this.held.delete(oldest)
    }
    this.held.set(peer, held)
  }

  /** Makes `state` this node's keyring: live keys at once, the file after (writes in order). */
  private adopt(state: KeyringState, source: string): boolean {
    if (JSON.stringify(state) === JSON.stringify(this.state)) return false
    const before = this.state
    this.state = state
    try {
      applyState(this.c.keys, state)
    } catch (err) {
      this.state = before
      throw err
    }
    this.retirements.switched(before.primary.id, state.primary.id, this.now())
    const view = { primary: state.primary.id, keys: installedIds(state), source }
    this.log?.info(view, 'keyring changed')
    this.safeDispatchEvent('keyring.changed', { detail: view })
    this.saving = this.saving
      .then(async () => await this.store.save(this.state))
      .catch((err: unknown) =>
        this.log?.error({ err: (err as Error).message }, 'keyring not saved'),
      )
    return true
  }
}

export function keyring(init?: KeyringInit) {
  return (components: KeyringComponents) => new KeyringService(components, init)
}
