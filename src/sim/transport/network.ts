/**
 * The shared state of every node built from one `conditionedMemory()` factory: its address
 * namespace (listeners by `/memory/<name>`), the conditions, the seed, the counters and the
 * connections in flight. Nodes of different factories cannot reach each other, nor nodes of
 * @libp2p/memory: each factory is a network of its own.
 */
import type { Logger } from '@libp2p/interface'
import {
  ConditionsTable,
  endpointKey,
  normalizeConditions,
  type ConditionsFn,
  type NetworkConditions,
  type SimEndpoint,
} from './conditions.js'
import { DEFAULT_MAX_QUEUED_BYTES, DEFAULT_SEED } from './constants.js'
import { linkSeed, mulberry32 } from './delay-model.js'
import { InvalidConditionsError } from './errors.js'
import { SimConnection } from './sim-connection.js'
import { createStats, type SimTransportStats } from './stats.js'

export interface ConditionedMemoryInit {
  /**
   * Fixed values (kept in a new `ConditionsTable`, editable at run time as
   * `network.table`), a table of your own, or a function of the two ends.
   */
  conditions: NetworkConditions | ConditionsTable | ConditionsFn
  /** Seed of every link's delay generator (default 1). */
  seed?: number
  /** Per direction of a connection, bytes in flight before the sender must wait (1 MiB). */
  maxQueuedBytes?: number
  /** Clock of the links, ms (default `performance.now`); tests pass a fake one. */
  now?: () => number
}

/** A listener as the network knows it: where dials to its address go. */
export interface ListeningEnd {
  readonly endpoint: SimEndpoint
  /** The listening node's logger. */
  readonly log: Logger
  /** Takes the listener's end of a new connection (runs the inbound upgrade). */
  accept(connection: SimConnection): void
}

export class ConditionedMemoryNetwork {
  readonly seed: number
  readonly maxQueuedBytes: number
  /** The table in use; `undefined` when conditions come from a function. */
  readonly table: ConditionsTable | undefined
  private readonly conditionsFn: ConditionsFn | undefined
  private readonly counters: SimTransportStats = createStats()
  private readonly listeners = new Map<string, ListeningEnd>()
  private readonly connections = new Set<SimConnection>()
  /** Connections opened so far per (dialer, listener), for the seeds of their links. */
  private readonly pairCounts = new Map<string, number>()
  private nextConnectionId = 0
  private readonly now: (() => number) | undefined

  constructor(init: ConditionedMemoryInit) {
    this.now = init.now
    const { conditions } = init
    if (typeof conditions === 'function') {
      this.conditionsFn = conditions
    } else {
      this.table =
        conditions instanceof ConditionsTable ? conditions : new ConditionsTable(conditions)
    }
    this.seed = init.seed ?? DEFAULT_SEED
    this.maxQueuedBytes = init.maxQueuedBytes ?? DEFAULT_MAX_QUEUED_BYTES
    if (!Number.isInteger(this.seed)) {
      throw new InvalidConditionsError(`seed must be an integer, got ${this.seed}`)
    }
    if (!(Number.isSafeInteger(this.maxQueuedBytes) && this.maxQueuedBytes > 0)) {
      throw new InvalidConditionsError(
        `maxQueuedBytes must be a positive integer, got ${this.maxQueuedBytes}`,
      )
    }
  }

  /** A snapshot of the counters. */
  stats(): SimTransportStats {
    return { ...this.counters, openConnections: this.connections.size }
  }

  /** The conditions a segment sent now from `from` to `to` would get. */
  conditionsOf(from: SimEndpoint, to: SimEndpoint): NetworkConditions {
    if (this.table != null) return this.table.lookup(from, to)
    const fn = this.conditionsFn as ConditionsFn
    return normalizeConditions(fn(endpointKey(from), endpointKey(to), { from, to }))
  }

  /** `/memory/<name>` addresses listened on now. */
  addresses(): string[] {
    return [...this.listeners.keys()]
  }

  /** Registers a listener; false if the address is taken. */
  listen(address: string, end: ListeningEnd): boolean {
    if (this.listeners.has(address)) return false
    this.listeners.set(address, end)
    return true
  }

  unlisten(address: string, end: ListeningEnd): void {
    if (this.listeners.get(address) === end) this.listeners.delete(address)
  }

  listenerAt(address: string): ListeningEnd | undefined {
    return this.listeners.get(address)
  }

  /** Opens a connection from `dialer` to the listener at `listenAddr` (both ends' links). */
  connect(
    dialer: SimEndpoint,
    listenAddr: string,
    listener: SimEndpoint,
    logs: { dialer: Logger; listener: Logger },
  ): SimConnection {
    const pairKey = `${endpointKey(dialer)}=>${endpointKey(listener)}`
    const ordinal = this.pairCounts.get(pairKey) ?? 0
    this.pairCounts.set(pairKey, ordinal + 1)
    const id = this.nextConnectionId++
    const connection = new SimConnection({
      id,
      listenAddr,
      dialerPeerId: dialer.peerId,
      listenerPeerId: listener.peerId,
      linkInit: (direction) => {
        const [from, to] =
          direction === 'dialer-to-listener' ? [dialer, listener] : [listener, dialer]
        return {
          rng: mulberry32(linkSeed(this.seed, `${pairKey}#${ordinal}:${direction}`)),
          conditions: this.conditionsReader(from, to),
          maxQueuedBytes: this.maxQueuedBytes,
          stats: this.counters,
          now: this.now,
        }
      },
      dialerLog: logs.dialer.newScope(`connection:${id}`),
      listenerLog: logs.listener.newScope(`connection:${id}`),
      onClosed: (closed) => this.connections.delete(closed),
    })
    this.connections.add(connection)
    this.counters.connectionsOpened++
    return connection
  }

  /**
   * Waits `ms` (a connection's set-up), counted in `activeTimers`. Rejects with the reason of
   * the first of `signals` to abort, and then leaves no timer behind.
   */
  async sleep(ms: number, signals: readonly AbortSignal[]): Promise<void> {
    for (const signal of signals) signal.throwIfAborted()
    if (ms <= 0) return
    await new Promise<void>((resolve, reject) => {
      let done = false
      const finish = (err?: unknown): void => {
        if (done) return
        done = true
        clearTimeout(timer)
        this.counters.activeTimers--
        for (const signal of signals) signal.removeEventListener('abort', onAbort)
        if (err === undefined) resolve()
        else reject(err)
      }
      const onAbort = (event: Event): void => finish((event.target as AbortSignal).reason)
      const timer = setTimeout(() => finish(), ms)
      this.counters.activeTimers++
      for (const signal of signals) signal.addEventListener('abort', onAbort, { once: true })
    })
  }

  /** Conditions of one direction, re-read from the table only after it changed. */
  private conditionsReader(from: SimEndpoint, to: SimEndpoint): () => NetworkConditions {
    const table = this.table
    if (table == null) return () => this.conditionsOf(from, to)
    let version = -1
    let cached: NetworkConditions = table.lookup(from, to)
    return () => {
      if (table.version !== version) {
        cached = table.lookup(from, to)
        version = table.version
      }
      return cached
    }
  }
}
