/**
 * A listener of the conditioned memory transport: registers `/memory/<name>` in its network
 * and runs the inbound upgrade of every connection dialed to it. Closing it stops new
 * connections; open ones are left to libp2p's connection manager (and are aborted when the
 * node stops, by the transport's `afterStop`).
 */
import { setMaxListeners } from 'node:events'
import {
  ListenError,
  TypedEventEmitter,
  type Listener,
  type ListenerEvents,
  type Logger,
  type Upgrader,
} from '@libp2p/interface'
import { multiaddr, type Multiaddr } from '@multiformats/multiaddr'
import type { SimEndpoint } from './conditions.js'
import type { ConditionedMemoryNetwork, ListeningEnd } from './network.js'
import type { SimConnection } from './sim-connection.js'

export interface SimListenerInit {
  network: ConditionedMemoryNetwork
  upgrader: Upgrader
  /** The node's transport logger (connection ends log with a scope of it). */
  log: Logger
  /** This node's end (peer id and node name). */
  endpoint: () => SimEndpoint
  /** Tells the transport of a new connection end (to abort it when the node stops). */
  onConnection: (connection: SimConnection) => void
  /** Tells the transport the name listened on, or given up. */
  onListening: (name: string, listening: boolean) => void
}

/** `<name>` of `/memory/<name>[/p2p/<id>]`, or undefined for any other address. */
export function memoryName(addr: Multiaddr): string | undefined {
  const [first, second, ...rest] = addr.getComponents()
  if (first?.name !== 'memory' || first.value == null || first.value === '') return undefined
  if (second != null && (second.name !== 'p2p' || rest.length > 0)) return undefined
  return first.value
}

export class SimListener extends TypedEventEmitter<ListenerEvents> implements Listener {
  private address?: string
  private name?: string
  private readonly shutdown = new AbortController()
  private readonly end: ListeningEnd

  constructor(private readonly init: SimListenerInit) {
    super()
    // Every inbound upgrade listens on this signal.
    setMaxListeners(Infinity, this.shutdown.signal)
    this.end = {
      get endpoint(): SimEndpoint {
        return init.endpoint()
      },
      log: init.log,
      accept: (connection) => this.accept(connection),
    }
  }

  async listen(addr: Multiaddr): Promise<void> {
    const name = memoryName(addr)
    if (name == null) throw new ListenError(`not a /memory/<name> address: ${addr.toString()}`)
    const address = `/memory/${name}`
    if (!this.init.network.listen(address, this.end)) {
      throw new ListenError(`memory address ${address} already in use`)
    }
    this.address = address
    this.name = name
    this.init.onListening(name, true)
    queueMicrotask(() => this.safeDispatchEvent('listening'))
  }

  getAddrs(): Multiaddr[] {
    return this.address == null ? [] : [multiaddr(this.address)]
  }

  updateAnnounceAddrs(): void {}

  async close(): Promise<void> {
    if (this.address != null && this.name != null) {
      this.init.network.unlisten(this.address, this.end)
      this.init.onListening(this.name, false)
      this.address = undefined
    }
    this.shutdown.abort()
    queueMicrotask(() => this.safeDispatchEvent('close'))
  }

  private accept(connection: SimConnection): void {
    const maConn = connection.listener
    this.init.onConnection(connection)
    this.init.upgrader
      .upgradeInbound(maConn, { signal: this.shutdown.signal })
      .catch((err: Error) => maConn.abort(err))
  }
}
