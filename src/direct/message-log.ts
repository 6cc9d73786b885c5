/**
 * This node's log of delivered messages (`GET /v1/messages`, `patternmesh tail`, DESIGN §15):
 * every `message` event (gossiped or direct) gets a cursor, kept in a ring of
 * `messageLogSize` entries within `messageLogBytes` (payloads plus a fixed overhead an entry);
 * the oldest are dropped (and counted, by which bound) when either is full. A client that
 * reconnects asks for what follows its cursor and misses nothing still kept; when its cursor
 * is older than the oldest kept (or not of this run), the answer says `truncated`.
 */
import type { MeshMessage } from '../node/events.js'
import type { LiveConfig, NodeEvents, Service } from '../node/ports.js'
import {
  DEFAULT_MESSAGE_LOG_BYTES,
  DEFAULT_MESSAGE_LOG_SIZE,
  LOG_ENTRY_OVERHEAD_BYTES,
  MAX_LOG_PAGE,
} from './constants.js'

export interface LoggedMessage {
  /** Increases by one per message; the first of a run is above every cursor of earlier runs. */
  cursor: number
  id: string
  /** The sender (the envelope's senderId). */
  from: string
  step: number
  seq: number
  data: Uint8Array
  direct: boolean
  receivedAt: number
}

export interface MessagePage {
  messages: LoggedMessage[]
  /** The cursor to ask from next time (the last returned, or the one asked when none). */
  next: number
  /**
   * True when messages after `after` were dropped before this read (the log was full), or
   * `after` is not a cursor of this run (the node restarted): some cannot be read any more.
   */
  truncated: boolean
}

export interface MessageLogStats {
  size: number
  capacity: number
  /** Messages dropped from the log because it was full (either bound). */
  dropped: number
  /** Of `dropped`, those dropped to stay within `maxBytes`. */
  droppedForBytes: number
  /** Bytes the kept entries count against `maxBytes`: payloads plus a fixed overhead each. */
  bytes: number
  maxBytes: number
  /** Cursor of the oldest message kept, null when empty. */
  oldest: number | null
  /** Cursor of the newest message, null when empty. */
  newest: number | null
}

export interface MessageLogComponents {
  events: NodeEvents
  liveConfig?: Pick<LiveConfig, 'config'>
}

export interface MessageLogInit {
  /** Capacity; default `messageLogSize` of the config, else 10,000. */
  size?: number
  /** Byte bound; default `messageLogBytes` of the config, else 64 MiB. */
  maxBytes?: number
  /** The first cursor of this run minus one; default `Date.now() * 1000` (above older runs). */
  base?: number
}

export class MessageLog implements Service {
  private readonly components: MessageLogComponents
  private readonly init: MessageLogInit
  private ring: Array<LoggedMessage | undefined> = []
  private capacity = 0
  /** Cursor of the newest entry; `base` while empty. */
  private newest = 0
  private base = 0
  private size = 0
  private dropped = 0
  private droppedForBytes = 0
  private bytes = 0
  private maxBytes = 0
  private controller: AbortController | undefined
  private readonly listeners = new Set<() => void>()

  constructor(components: MessageLogComponents, init: MessageLogInit = {}) {
    this.components = components
    this.init = init
    this.reset()
  }

  async start(): Promise<void> {
    if (this.controller !== undefined) return
    this.controller = new AbortController()
    this.reset()
    this.components.events.addEventListener('message', (event) => this.append(event.detail), {
      signal: this.controller.signal,
    })
  }

  async stop(): Promise<void> {
    this.controller?.abort()
    this.controller = undefined
    this.listeners.clear()
  }

  append(message: MeshMessage): LoggedMessage {
    const entry: LoggedMessage = {
      cursor: ++this.newest,
      id: message.id,
      from: message.envelope.senderId,
      step: message.envelope.globalStep,
      seq: message.envelope.seq,
      data: message.envelope.data,
      direct: message.direct === true,
      receivedAt: message.receivedAt,
    }
    const slot = entry.cursor % this.capacity
    if (this.size === this.capacity) {
      // Full: the oldest entry is the one in this slot.
      this.bytes -= entryBytes(this.ring[slot]!)
      this.dropped++
    } else this.size++
    this.ring[slot] = entry
    this.bytes += entryBytes(entry)
    // The newest always stays, even alone above the bound (one payload is bounded by the
    // frame size limit); the oldest go until the rest fits.
    while (this.bytes > this.maxBytes && this.size > 1) {
      const oldest = (this.newest - this.size + 1) % this.capacity
      this.bytes -= entryBytes(this.ring[oldest]!)
      this.ring[oldest] = undefined
      this.size--
      this.dropped++
      this.droppedForBytes++
    }
    for (const listener of this.listeners) listener()
    return entry
  }

  /** Messages after `after` (all kept when absent), at most `limit` (capped at 1,000). */
  read(after: number | undefined, limit = MAX_LOG_PAGE): MessagePage {
    const oldest = this.newest - this.size + 1
    const wanted = Math.max(1, Math.min(limit, MAX_LOG_PAGE))
    let from = after === undefined ? oldest : after + 1
    // A cursor above the newest, or below this run's first (0 aside: "from the start"), is
    // not of this run: the node restarted, and what it delivered before is gone.
    const foreign = after !== undefined && (after > this.newest || (after > 0 && after < this.base))
    const dropped = after !== undefined && Math.max(after, this.base) + 1 < oldest
    const truncated = foreign || dropped
    if (foreign || from < oldest) from = oldest
    const messages: LoggedMessage[] = []
    for (let cursor = from; cursor <= this.newest && messages.length < wanted; cursor++) {
      messages.push(this.ring[cursor % this.capacity]!)
    }
    const next = messages.at(-1)?.cursor ?? (foreign || after === undefined ? this.newest : after)
    return { messages, next, truncated }
  }

  stats(): MessageLogStats {
    return {
      size: this.size,
      capacity: this.capacity,
      dropped: this.dropped,
      droppedForBytes: this.droppedForBytes,
      bytes: this.bytes,
      maxBytes: this.maxBytes,
      oldest: this.size === 0 ? null : this.newest - this.size + 1,
      newest: this.size === 0 ? null : this.newest,
    }
  }

  /** Calls `listener` after each appended message; returns the unsubscribe function. */
  onAppend(listener: () => void): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  private reset(): void {
    this.capacity = Math.max(
      1,
      this.init.size ??
        this.components.liveConfig?.config.messageLogSize ??
        DEFAULT_MESSAGE_LOG_SIZE,
    )
    this.maxBytes = Math.max(
      1,
      this.init.maxBytes ??
        this.components.liveConfig?.config.messageLogBytes ??
        DEFAULT_MESSAGE_LOG_BYTES,
    )
    this.bytes = 0
    this.base = this.init.base ?? Date.now() * 1000
    this.newest = this.base
    this.size = 0
    this.ring = new Array<LoggedMessage | undefined>(this.capacity)
  }
}

/**
 * What an entry counts against the byte bound. Its payload may be a view into the gossip
 * message it came in; a batch's frames are logged together, so the views hold about their
 * own bytes, not more.
 */
function entryBytes(entry: LoggedMessage): number {
  return entry.data.length + LOG_ENTRY_OVERHEAD_BYTES
}

export function messageLog(init?: MessageLogInit) {
  return (components: MessageLogComponents) => new MessageLog(components, init)
}
