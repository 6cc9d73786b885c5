/**
 * Fast joining (issue 12.3): `/patternmesh/members/1.0.0`. A node asks each newly connected
 * peer for its member table and answers the same question; so a joining node knows the mesh
 * (and may elect) within a round trip instead of a heartbeat round. The answer is this node's
 * own heartbeat and its present members, each dated by how long ago it was heard, inside a
 * sealed step-sync frame: authenticated by the network key like the step sync's answer, and
 * bounded in members and bytes.
 */
import type { PeerId } from '@libp2p/interface'
import { Ajv } from 'ajv'
import type { Logger } from 'pino'
import type { Libp2pSurface } from '../node/ports.js'
import { decodeJsonPayload, encodeJsonPayload } from '../protocol/json-payload.js'
import { requestOnce, serveRequests } from '../rpc/request-response.js'
import {
  MEMBER_TABLE_ANSWERS_PER_START,
  MEMBER_TABLE_MAX_BYTES,
  MEMBER_TABLE_MAX_ENTRIES,
  MEMBER_TABLE_PULLS_IN_FLIGHT,
  MEMBER_TABLE_PULL_QUEUE,
} from './constants.js'
import { HEARTBEAT_SCHEMA, PEER_ID_SCHEMA, type DecodeResult } from './heartbeat.js'
import type { ReportedMember } from './member-table.js'

export const MEMBERS_PROTOCOL = '/patternmesh/members/1.0.0'
const REQUEST = Uint8Array.of(1)

/** Seals and opens the step-sync frames that authenticate an answer (the node's own). */
export interface StepFrames {
  /** A sealed step-sync frame carrying `data`, at the current step. */
  seal(data: Uint8Array): Uint8Array
  /** The data of `peerId`'s sealed step-sync frame, or undefined when it does not verify. */
  open(frame: Uint8Array, peerId: string, maxBytes: number): Uint8Array | undefined
}

export interface MemberExchangeComponents {
  libp2p: Pick<
    Libp2pSurface,
    'handle' | 'unhandle' | 'dialProtocol' | 'getConnections' | 'addEventListener'
  >
  frames: StepFrames
}

export interface MemberExchangeInit {
  /** The table to answer with: this node first, then its present members. */
  snapshot: () => ReportedMember[]
  /** A peer's verified table. */
  onTable: (from: string, members: ReportedMember[]) => void
  timeoutMs: () => number
  log?: Logger
}

const TABLE_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  required: ['members'],
  properties: {
    members: {
      type: 'array',
      maxItems: MEMBER_TABLE_MAX_ENTRIES,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['id', 'ageMs', 'step', 'heartbeat'],
        properties: {
          id: PEER_ID_SCHEMA,
          ageMs: { type: 'integer', minimum: 0, maximum: Number.MAX_SAFE_INTEGER },
          step: { type: 'integer', minimum: 0, maximum: Number.MAX_SAFE_INTEGER },
          heartbeat: HEARTBEAT_SCHEMA,
        },
      },
    },
  },
} as const

const ajv = new Ajv({ allErrors: false, strict: true, removeAdditional: true })
const validate = ajv.compile<{ members: ReportedMember[] }>(TABLE_SCHEMA)

export function encodeMemberTable(members: readonly ReportedMember[]): Uint8Array {
  return encodeJsonPayload({ members: members.slice(0, MEMBER_TABLE_MAX_ENTRIES) })
}

export function decodeMemberTable(bytes: Uint8Array): DecodeResult<ReportedMember[]> {
  const parsed = decodeJsonPayload(bytes, MEMBER_TABLE_MAX_BYTES)
  if (!parsed.ok) return parsed
  if (!validate(parsed.value)) {
    const error = validate.errors?.[0]
    return {
      ok: false,
      detail: `member table${error?.instancePath ?? ''} ${error?.message ?? 'is invalid'}`,
    }
  }
  return { ok: true, value: parsed.value.members }
}

export interface MemberExchangeStats {
  pulls: number
  answered: number
  failed: number
  /** Pulls not made because the queue was full (the peer's heartbeats will tell instead). */
  dropped: number
}

export class MemberExchange {
  private readonly components: MemberExchangeComponents
  private readonly init: MemberExchangeInit
  private readonly queue: PeerId[] = []
  private readonly queued = new Set<string>()
  private inFlight = 0
  private signal: AbortSignal | undefined
  private answeredSinceStart = 0
  readonly counters: MemberExchangeStats = { pulls: 0, answered: 0, failed: 0, dropped: 0 }

  constructor(components: MemberExchangeComponents, init: MemberExchangeInit) {
    this.components = components
    this.init = init
  }

  /** Serves the protocol and asks every peer connected now or later; `signal` ends it all. */
  async start(signal: AbortSignal): Promise<void> {
    this.signal = signal
    this.answeredSinceStart = 0
    const { libp2p, frames } = this.components
    await serveRequests(
      libp2p,
      MEMBERS_PROTOCOL,
      () => frames.seal(encodeMemberTable(this.init.snapshot())),
      {
        timeoutMs: this.init.timeoutMs(),
        maxRequestBytes: 16,
        onError: (err, peerId) => this.init.log?.debug({ err, peerId }, 'member table not served'),
      },
    )
    libp2p.addEventListener('peer:connect', (event) => this.pull(event.detail), { signal })
    for (const conn of libp2p.getConnections()) this.pull(conn.remotePeer)
  }

  async stop(): Promise<void> {
    this.queue.length = 0
    this.queued.clear()
    await this.components.libp2p.unhandle(MEMBERS_PROTOCOL).catch(() => undefined)
  }

  /**
   * Asks `peer` for its table, soon: a few at a time, a bounded queue for the rest; once
   * `MEMBER_TABLE_ANSWERS_PER_START` tables came in, heartbeats tell the rest (in a 100-node
   * mesh forming at once, every node asking all its peers cost more than it taught).
   */
  pull(peer: PeerId): void {
    const id = peer.toString()
    if (this.signal?.aborted !== false || this.queued.has(id)) return
    if (this.answeredSinceStart >= MEMBER_TABLE_ANSWERS_PER_START) return
    if (this.queue.length >= MEMBER_TABLE_PULL_QUEUE) {
      this.counters.dropped++
      return
    }
    this.queued.add(id)
    this.queue.push(peer)
    this.drain()
  }

  private drain(): void {
    while (this.inFlight < MEMBER_TABLE_PULLS_IN_FLIGHT && this.queue.length > 0) {
      const peer = this.queue.shift()!
      this.inFlight++
      void this.ask(peer).finally(() => {
        this.inFlight--
        this.queued.delete(peer.toString())
        if (this.signal?.aborted === false) this.drain()
      })
    }
  }

  private async ask(peer: PeerId): Promise<void> {
    const id = peer.toString()
    this.counters.pulls++
    try {
      const frame = await requestOnce(this.components.libp2p, peer, MEMBERS_PROTOCOL, REQUEST, {
        timeoutMs: this.init.timeoutMs(),
        maxResponseBytes: MEMBER_TABLE_MAX_BYTES + 1024,
      })
      if (this.signal?.aborted !== false) return
      const data = this.components.frames.open(frame, id, MEMBER_TABLE_MAX_BYTES + 1024)
      if (data === undefined) throw new Error('member table frame does not verify')
      const table = decodeMemberTable(data)
      if (!table.ok) throw new Error(table.detail)
      this.counters.answered++
      this.answeredSinceStart++
      this.init.onTable(id, table.value)
    } catch (err) {
      this.counters.failed++
      // A peer without the protocol (an older version) or gone already: its heartbeats tell.
      this.init.log?.debug({ err, peerId: id }, 'member table not obtained')
    }
  }
}
