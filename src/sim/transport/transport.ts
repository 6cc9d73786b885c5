/**
 * One node's conditioned memory transport: dials and listens in its network, and when the node
 * stops (`afterStop`, after libp2p has closed its connections) aborts whatever is still open,
 * so no connection, queue or timer of this node outlives it.
 */
import {
  ConnectionFailedError,
  serviceCapabilities,
  transportSymbol,
  type ComponentLogger,
  type Connection,
  type CreateListenerOptions,
  type DialTransportOptions,
  type Listener,
  type Logger,
  type PeerId,
  type Startable,
  type Transport,
} from '@libp2p/interface'
import type { Multiaddr } from '@multiformats/multiaddr'
import type { SimEndpoint } from './conditions.js'
import { memoryName, SimListener } from './listener.js'
import type { ConditionedMemoryNetwork } from './network.js'
import type { SimMultiaddrConnection } from './sim-connection.js'

export interface ConditionedMemoryComponents {
  peerId: PeerId
  logger: ComponentLogger
}

export class ConditionedMemoryTransport implements Transport, Startable {
  readonly [transportSymbol] = true
  readonly [Symbol.toStringTag] = '@patternmesh/conditioned-memory'
  readonly [serviceCapabilities]: string[] = ['@libp2p/transport']

  private readonly log: Logger
  private readonly names: string[] = []
  /** This node's open connection ends. */
  private readonly ends = new Set<SimMultiaddrConnection>()
  private shutdown = new AbortController()

  constructor(
    private readonly components: ConditionedMemoryComponents,
    private readonly network: ConditionedMemoryNetwork,
  ) {
    this.log = components.logger.forComponent('patternmesh:sim:transport')
  }

  /** This node as an end of a link: peer id, and the first name it listens on. */
  get endpoint(): SimEndpoint {
    const name = this.names[0]
    const peerId = this.components.peerId.toString()
    return name == null ? { peerId } : { peerId, name }
  }

  start(): void {
    if (this.shutdown.signal.aborted) this.shutdown = new AbortController()
  }

  stop(): void {}

  /** Aborts what libp2p's stop left open (dials in progress, connections that did not close). */
  afterStop(): void {
    this.shutdown.abort(new ConnectionFailedError('conditioned memory transport stopped'))
    for (const end of [...this.ends]) {
      if (end.isOpen) end.abort(new ConnectionFailedError('conditioned memory transport stopped'))
    }
    this.ends.clear()
  }

  async dial(ma: Multiaddr, options: DialTransportOptions): Promise<Connection> {
    options.signal.throwIfAborted()
    const name = memoryName(ma)
    const address = `/memory/${name ?? ''}`
    const target = name == null ? undefined : this.network.listenerAt(address)
    if (target == null) {
      throw new ConnectionFailedError(`no conditioned memory listener at ${ma.toString()}`)
    }
    const from = this.endpoint
    const to = target.endpoint
    const connection = this.network.connect(from, address, to, {
      dialer: this.log,
      listener: target.log,
    })
    this.track(connection.dialer)
    const signals = [options.signal, this.shutdown.signal]
    try {
      // Connection set-up: one round trip of base latency (no jitter, no loss).
      await this.network.sleep(this.network.conditionsOf(from, to).latencyMs, signals)
      if (this.network.listenerAt(address) !== target) {
        throw new ConnectionFailedError(`conditioned memory listener at ${address} closed`)
      }
      target.accept(connection)
      await this.network.sleep(this.network.conditionsOf(to, from).latencyMs, signals)
      return await options.upgrader.upgradeOutbound(connection.dialer, options)
    } catch (err) {
      connection.dialer.abort(err instanceof Error ? err : new Error(String(err)))
      throw err
    }
  }

  createListener(options: CreateListenerOptions): Listener {
    return new SimListener({
      network: this.network,
      upgrader: options.upgrader,
      endpoint: () => this.endpoint,
      log: this.log,
      onConnection: (connection) => this.track(connection.listener),
      onListening: (name, listening) => {
        const index = this.names.indexOf(name)
        if (listening && index < 0) this.names.push(name)
        if (!listening && index >= 0) this.names.splice(index, 1)
      },
    })
  }

  listenFilter(multiaddrs: Multiaddr[]): Multiaddr[] {
    return multiaddrs.filter((ma) => ma.getComponents().length === 1 && memoryName(ma) != null)
  }

  dialFilter(multiaddrs: Multiaddr[]): Multiaddr[] {
    return multiaddrs.filter((ma) => memoryName(ma) != null)
  }

  private track(end: SimMultiaddrConnection): void {
    this.ends.add(end)
    end.addEventListener('close', () => this.ends.delete(end), { once: true })
  }
}
