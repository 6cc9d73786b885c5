/** The part of a `ws` WebSocket an event client uses (a stub in tests). */
export interface EventSocket {
  readonly bufferedAmount: number
  readonly readyState: number
  send(data: string, callback?: (err?: Error | null) => void): void
}

const OPEN = 1

export interface EventClientInit {
  socket: EventSocket
  /** Event types wanted; undefined for all. */
  types: ReadonlySet<string> | undefined
  /** Send buffer bound, bytes. */
  bufferLimit: number
  onDrop: (count: number) => void
  now?: () => number
}

/**
 * One `/v1/events` subscriber with a bounded send buffer. A frame that would push the
 * socket's buffer past the limit is dropped and counted; once the buffer drains, the client
 * gets `{ type: 'dropped', count }` before the next frame, so a slow reader knows what it
 * missed and a fast producer never buffers without bound.
 */
export class EventClient {
  private readonly init: EventClientInit
  private dropped = 0

  constructor(init: EventClientInit) {
    this.init = init
  }

  wants(type: string): boolean {
    return this.init.types === undefined || this.init.types.has(type)
  }

  /** Frames dropped and not yet reported to the client. */
  get pendingDrops(): number {
    return this.dropped
  }

  /** Sends a serialized frame, or drops it when the buffer is full. */
  send(frame: string): void {
    const { socket } = this.init
    if (socket.readyState !== OPEN) return
    if (this.dropped > 0) this.reportDrops()
    // An empty buffer takes any one frame, so a frame larger than the limit still gets out.
    if (socket.bufferedAmount > 0 && socket.bufferedAmount + frame.length > this.init.bufferLimit) {
      this.dropped++
      this.init.onDrop(1)
      return
    }
    socket.send(frame, this.afterSend)
  }

  /** Called when a frame was written out: the moment to report drops if the buffer drained. */
  private readonly afterSend = (err?: Error | null): void => {
    // Streams call back with null on success.
    if (err == null && this.dropped > 0) this.reportDrops()
  }

  private reportDrops(): void {
    const { socket } = this.init
    if (socket.readyState !== OPEN || socket.bufferedAmount > this.init.bufferLimit / 2) return
    const count = this.dropped
    this.dropped = 0
    const at = (this.init.now ?? Date.now)()
    socket.send(JSON.stringify({ type: 'dropped', at, count }), this.afterSend)
  }
}
