/**
 * A simulated connection: two MultiaddrConnections (the dialer's and the listener's) joined by
 * two links, one per direction. Closing one end delivers the end of its stream after what it
 * sent, and the other end then closes (as @libp2p/memory does); aborting one end discards what
 * is in flight both ways and resets the other end at once.
 */
import type { AbortOptions, Logger } from '@libp2p/interface'
import { AbstractMultiaddrConnection, type SendResult } from '@libp2p/utils'
import { multiaddr } from '@multiformats/multiaddr'
import { MAX_SEGMENT_BYTES } from './constants.js'
import { Link, type LinkInit } from './link.js'

/** What `sendData` is given: a list of byte arrays (uint8arraylist). */
export type Segment = Parameters<AbstractMultiaddrConnection['sendData']>[0]

interface SimMultiaddrConnectionInit {
  remoteAddr: string
  direction: 'inbound' | 'outbound'
  log: Logger
  outbound: Link<Segment>
  inbound: Link<Segment>
  onReset: (from: SimMultiaddrConnection) => void
}

export class SimMultiaddrConnection extends AbstractMultiaddrConnection {
  private readonly outbound: Link<Segment>
  private readonly inbound: Link<Segment>
  private readonly onReset: (from: SimMultiaddrConnection) => void

  constructor(init: SimMultiaddrConnectionInit) {
    super({
      remoteAddr: multiaddr(init.remoteAddr),
      direction: init.direction,
      log: init.log,
      maxMessageSize: MAX_SEGMENT_BYTES,
    })
    this.outbound = init.outbound
    this.inbound = init.inbound
    this.onReset = init.onReset
  }

  /** True until the connection is closed, aborted or reset. */
  get isOpen(): boolean {
    return this.status === 'open' || this.status === 'closing'
  }

  sendData(data: Segment): SendResult {
    const room = this.outbound.room
    if (room === 0) {
      this.outbound.block()
      return { sentBytes: 0, canSendMore: false }
    }
    const segment = data.byteLength <= room ? data : data.sublist(0, room)
    const canSendMore = this.outbound.send(segment) && segment.byteLength === data.byteLength
    return { sentBytes: segment.byteLength, canSendMore }
  }

  sendReset(): void {
    this.onReset(this)
  }

  async sendClose(options?: AbortOptions): Promise<void> {
    await raceSignal(this.outbound.end(), options?.signal)
  }

  sendPause(): void {
    this.inbound.pause()
  }

  sendResume(): void {
    this.inbound.resume()
  }

  /** Segments from the remote end, in order: one `message` event for all of them. */
  receive(segments: Segment[]): void {
    if (this.readStatus === 'closing' || this.readStatus === 'closed') return
    for (const segment of segments) this.readBuffer.append(segment)
    this.dispatchReadBuffer()
  }

  /** The remote end closed after sending everything: this end closes too. */
  receiveEnd(): void {
    if (this.isOpen) this.onTransportClosed()
  }

  /** The remote end was aborted. */
  receiveReset(): void {
    if (this.isOpen) this.onRemoteReset()
  }

  /** Signals the sender that the link has room again. */
  drained(): void {
    this.safeDispatchEvent('drain')
  }
}

async function raceSignal(promise: Promise<void>, signal?: AbortSignal): Promise<void> {
  if (signal == null) return await promise
  signal.throwIfAborted()
  let onAbort: (() => void) | undefined
  try {
    await Promise.race([
      promise,
      new Promise<never>((_resolve, reject) => {
        onAbort = () => reject(signal.reason)
        signal.addEventListener('abort', onAbort, { once: true })
      }),
    ])
  } finally {
    if (onAbort != null) signal.removeEventListener('abort', onAbort)
  }
}

export interface SimConnectionInit {
  id: number
  /** `/memory/<name>` of the listener dialed. */
  listenAddr: string
  dialerPeerId: string
  listenerPeerId: string
  /** Everything of a link but its end points (given per direction). */
  linkInit: (direction: 'dialer-to-listener' | 'listener-to-dialer') => Omit<LinkInit, 'onDrain'>
  dialerLog: Logger
  listenerLog: Logger
  /** Called once, when both ends are closed and nothing is left in flight. */
  onClosed: (connection: SimConnection) => void
}

export class SimConnection {
  readonly id: number
  readonly dialer: SimMultiaddrConnection
  readonly listener: SimMultiaddrConnection
  private readonly toListener: Link<Segment>
  private readonly toDialer: Link<Segment>
  private finished = false

  constructor(private readonly init: SimConnectionInit) {
    this.id = init.id
    this.toListener = new Link({
      ...init.linkInit('dialer-to-listener'),
      onDrain: () => this.dialer.drained(),
    })
    this.toDialer = new Link({
      ...init.linkInit('listener-to-dialer'),
      onDrain: () => this.listener.drained(),
    })
    const onReset = (from: SimMultiaddrConnection): void => this.reset(from)
    this.dialer = new SimMultiaddrConnection({
      remoteAddr: `${init.listenAddr}/p2p/${init.listenerPeerId}`,
      direction: 'outbound',
      log: init.dialerLog,
      outbound: this.toListener,
      inbound: this.toDialer,
      onReset,
    })
    this.listener = new SimMultiaddrConnection({
      remoteAddr: `${init.listenAddr}-in-${init.id}/p2p/${init.dialerPeerId}`,
      direction: 'inbound',
      log: init.listenerLog,
      outbound: this.toDialer,
      inbound: this.toListener,
      onReset,
    })
    this.toListener.connect(endpointSink(this.listener))
    this.toDialer.connect(endpointSink(this.dialer))
    const onClose = (): void => this.maybeFinish()
    this.dialer.addEventListener('close', onClose)
    this.listener.addEventListener('close', onClose)
  }

  /** True once both ends are closed and both links destroyed. */
  get closed(): boolean {
    return this.finished
  }

  /** Bytes in flight, both directions. */
  get queuedBytes(): number {
    return this.toListener.queuedBytes + this.toDialer.queuedBytes
  }

  /** One end was aborted: nothing more is delivered; the other end is reset. */
  private reset(from: SimMultiaddrConnection): void {
    this.toListener.destroy()
    this.toDialer.destroy()
    const other = from === this.dialer ? this.listener : this.dialer
    // After the aborting end has finished its own abort() and emitted its close event.
    queueMicrotask(() => {
      other.receiveReset()
      this.maybeFinish()
    })
  }

  private maybeFinish(): void {
    if (this.finished || this.dialer.isOpen || this.listener.isOpen) return
    this.finished = true
    this.toListener.destroy()
    this.toDialer.destroy()
    this.init.onClosed(this)
  }
}

function endpointSink(end: SimMultiaddrConnection): {
  deliver: (segments: Segment[]) => void
  deliverEnd: () => void
} {
  return {
    deliver: (segments) => end.receive(segments),
    deliverEnd: () => end.receiveEnd(),
  }
}
