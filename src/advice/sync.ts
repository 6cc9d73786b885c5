/**
 * Anti-entropy over `/patternmesh/advice-sync/1.0.0`: every few heartbeats a node picks a
 * random connected peer and walks the digest trie with it (`diff` rounds: only buckets whose
 * digests differ are expanded), then pulls the items it lacks (`pull`, at most MAX_PULL_KEYS a
 * round). Each side pulls; a pair that both run it converges both ways. Every message is
 * authenticated with the network key (auth.ts).
 */
import { sample } from '../util/sample.js'
import type { Libp2p, PeerId } from '@libp2p/interface'
import type { Logger } from 'pino'
import { requestOnce, serveRequests } from '../rpc/request-response.js'
import { openMessage, sealMessage, type StepKeys } from './auth.js'
import {
  ADVICE_SYNC_PROTOCOL,
  MAX_PULL_KEYS,
  MAX_SYNC_BYTES,
  SYNC_LEAF_ITEMS,
  SYNC_MAX_DEPTH,
} from './constants.js'
import type { Bucket, DigestIndex } from './digest.js'
import type { Advice, AdviceResult } from './types.js'

export type SyncItem = { advice: Advice } | { result: AdviceResult }

type DiffAnswer = { p: string; keys?: string[]; c?: Bucket[] }

export interface AdviceSyncComponents {
  libp2p: Pick<Libp2p, 'dialProtocol' | 'handle' | 'unhandle' | 'getPeers'>
  keys: StepKeys
  step: () => number
  /** The digest of what this node holds now. */
  index: () => DigestIndex
  /** Items by hash (those still held). */
  items: (hashes: readonly string[]) => SyncItem[]
  /** Takes pulled items (validated and stored by the caller). */
  ingest: (items: readonly SyncItem[]) => Promise<void>
  timeoutMs: () => number
  logger?: Logger | undefined
}

export interface AdviceSyncStats {
  rounds: number
  failedRounds: number
  itemsPulled: number
  /** Bytes this node wrote on the protocol (requests as a client, answers as a server). */
  bytesSent: number
  bytesReceived: number
  /** Items left for a later round because a pull was full. */
  deferred: number
}

/** Counters of a sync that has not run (yet). */
export function emptySyncStats(): AdviceSyncStats {
  return { rounds: 0, failedRounds: 0, itemsPulled: 0, bytesSent: 0, bytesReceived: 0, deferred: 0 }
}

export class AdviceSync {
  private readonly c: AdviceSyncComponents
  readonly stats: AdviceSyncStats = emptySyncStats()

  constructor(components: AdviceSyncComponents) {
    this.c = components
  }

  async start(): Promise<void> {
    await serveRequests(this.c.libp2p, ADVICE_SYNC_PROTOCOL, (req) => this.serve(req), {
      timeoutMs: this.c.timeoutMs(),
      maxRequestBytes: MAX_SYNC_BYTES,
      onError: (err, peer) => this.c.logger?.debug({ err, peer }, 'advice sync serve'),
    })
  }

  async stop(): Promise<void> {
    await this.c.libp2p.unhandle(ADVICE_SYNC_PROTOCOL).catch(() => undefined)
  }

  /** One round with `count` random connected peers; returns the items pulled. */
  async round(count: number): Promise<number> {
    const peers = this.c.libp2p.getPeers()
    let pulled = 0
    for (const peer of sample(peers, count, Math.random)) {
      try {
        pulled += await this.syncWith(peer)
        this.stats.rounds++
      } catch (err) {
        this.stats.failedRounds++
        this.c.logger?.debug({ err, peer: peer.toString() }, 'advice sync round failed')
      }
    }
    return pulled
  }

  /** Walks the trie with `peer` and pulls what is missing here. */
  async syncWith(peer: PeerId): Promise<number> {
    const index = this.c.index()
    let pending: Array<{ p: string; h: string }> = [{ p: '', h: index.bucket('').h }]
    const missing: string[] = []
    for (let depth = 0; pending.length > 0 && depth <= SYNC_MAX_DEPTH; depth++) {
      const answer = (await this.ask(peer, { op: 'diff', b: pending })) as { b?: DiffAnswer[] }
      const next: Array<{ p: string; h: string }> = []
      for (const bucket of answer.b ?? []) {
        if (Array.isArray(bucket.keys)) {
          for (const key of bucket.keys)
            if (typeof key === 'string' && !index.has(key)) missing.push(key)
        } else if (Array.isArray(bucket.c)) {
          for (const child of bucket.c) {
            if (typeof child?.p !== 'string' || child.p.length !== bucket.p.length + 1) continue
            const mine = index.bucket(child.p)
            if (mine.h !== child.h) next.push({ p: child.p, h: mine.h })
          }
        }
      }
      pending = next
    }
    if (missing.length === 0) return 0
    const keys = missing.slice(0, MAX_PULL_KEYS)
    this.stats.deferred += missing.length - keys.length
    const answer = (await this.ask(peer, { op: 'pull', keys })) as { items?: SyncItem[] }
    const items = Array.isArray(answer.items) ? answer.items : []
    await this.c.ingest(items)
    this.stats.itemsPulled += items.length
    return items.length
  }

  private async ask(peer: PeerId, body: unknown): Promise<unknown> {
    const request = sealMessage(this.c.keys, this.c.step(), body)
    this.stats.bytesSent += request.length
    const response = await requestOnce(this.c.libp2p, peer, ADVICE_SYNC_PROTOCOL, request, {
      timeoutMs: this.c.timeoutMs(),
      maxResponseBytes: MAX_SYNC_BYTES,
    })
    this.stats.bytesReceived += response.length
    const value = openMessage(this.c.keys, this.c.step(), response)?.value
    if (value === undefined || typeof value !== 'object')
      throw new Error('unauthenticated sync answer')
    return value
  }

  private serve(request: Uint8Array): Uint8Array {
    this.stats.bytesReceived += request.length
    const opened = openMessage(this.c.keys, this.c.step(), request)
    if (opened === undefined) throw new Error('unauthenticated sync request')
    const body = (opened.value ?? {}) as {
      op?: string
      b?: Array<{ p?: unknown; h?: unknown }>
      keys?: unknown
    }
    let answer: unknown = {}
    if (body.op === 'diff' && Array.isArray(body.b)) {
      const index = this.c.index()
      const out: DiffAnswer[] = []
      for (const { p, h } of body.b.slice(0, 4096)) {
        if (typeof p !== 'string' || !/^[0-9a-f]{0,16}$/.test(p)) continue
        const mine = index.bucket(p)
        if (mine.h === h) continue
        if (mine.n <= SYNC_LEAF_ITEMS || p.length >= SYNC_MAX_DEPTH)
          out.push({ p, keys: index.under(p) })
        else out.push({ p, c: index.children(p) })
      }
      answer = { b: out }
    } else if (body.op === 'pull' && Array.isArray(body.keys)) {
      const keys = body.keys
        .filter((k): k is string => typeof k === 'string')
        .slice(0, MAX_PULL_KEYS)
      answer = { items: this.c.items(keys) }
    }
    // Under the key it asked with: it may not hold our primary yet (or any more).
    const response = sealMessage(this.c.keys, this.c.step(), answer, opened.keyId)
    this.stats.bytesSent += response.length
    return response
  }
}
