/**
 * Addresses travel with membership (DESIGN §13). This service seals our signed peer record
 * (for our heartbeats) and checks the one each member's heartbeat carries: a verified, newer
 * record goes into the peer store (persisted in the data dir by the daemon's datastore), so any
 * member can be dialed by its peer id, now or after a restart. Forged and stale records are
 * refused, counted and logged at debug.
 *
 * Our record is also put in our own peer store entry: libp2p's identify then serves that one
 * instead of sealing a fresh record (with a newer seq) on every identify, so peers see one
 * record of ours, whichever way it reached them.
 */
import type { Peer, PeerId, PrivateKey } from '@libp2p/interface'
import { peerIdFromString } from '@libp2p/peer-id'
import { setMaxListeners } from 'node:events'
import { CODE_P2P } from '@multiformats/multiaddr'
import type { Logger } from 'pino'
import type { HeartbeatEvents, MembershipEvents } from '../membership/events.js'
import type { Libp2pSurface, NodeIdentity, Service } from '../node/ports.js'
import { createTokenBucket, type TokenBucket } from '../util/token-bucket.js'
import { MAX_RECORD_VERIFICATIONS, MEMBER_TAG, RECORD_CHECKS_PER_SECOND } from './constants.js'
import {
  checkPeerRecord,
  RECORD_REFUSAL_CODES,
  sealPeerRecord,
  storedRecordSeq,
  type RecordRefusalCode,
} from './peer-record.js'

export interface PeerRecordsComponents {
  identity: Pick<NodeIdentity, 'peerId'>
  /** Our libp2p key: the record is signed with it. */
  privateKey: PrivateKey
  libp2p: Pick<
    Libp2pSurface,
    'getMultiaddrs' | 'peerStore' | 'addEventListener' | 'removeEventListener'
  >
  heartbeats: HeartbeatEvents
  logger?: Logger
}

export interface PeerRecordsInit {
  /** Records checked at once; more heartbeats meanwhile are skipped (the next ones retry). */
  maxVerifications?: number
  /** New records checked per second at most (a burst of `maxVerifications`); see `paced`. */
  checksPerSecond?: number
  /** Clock of our record's sequence number (ms), for tests. */
  now?: () => number
}

export interface PeerRecordsStats {
  /** Our own records sealed (at start and when our addresses change). */
  sealed: number
  /** Members' records verified and stored. */
  accepted: number
  /** Records already held (same seq): most heartbeats. */
  unchanged: number
  /** Records refused, by reason. */
  refused: Record<RecordRefusalCode, number>
  /** Heartbeats whose record was not checked because too many checks were under way. */
  skipped: number
  /** New records left for the member's next heartbeat: over `checksPerSecond`. */
  paced: number
  /** Peer store reads or writes that failed. */
  storeFailures: number
}

export class PeerRecords implements Service {
  private readonly components: PeerRecordsComponents
  private readonly maxVerifications: number
  private readonly now: () => number
  private readonly log: Logger | undefined
  private controller: AbortController | undefined
  private own: { text: string; seq: bigint; addrs: string } | undefined
  private sealing: Promise<void> = Promise.resolve()
  /** The last record text accepted (or found unchanged) per member, to skip re-verifying it. */
  private readonly known = new Map<string, string>()
  private readonly checking = new Set<string>()
  /** A member's record that came while its previous one was being checked (≤ one each). */
  private readonly waiting = new Map<string, string>()
  private readonly counters: PeerRecordsStats = {
    sealed: 0,
    accepted: 0,
    unchanged: 0,
    refused: Object.fromEntries(RECORD_REFUSAL_CODES.map((code) => [code, 0])) as Record<
      RecordRefusalCode,
      number
    >,
    skipped: 0,
    paced: 0,
    storeFailures: 0,
  }
  /**
   * Checking and storing a record costs about a millisecond (a signature, peer store reads and
   * writes). A node joining a mesh of a hundred hears a hundred new records within a heartbeat
   * round; paced, they are stored over a few rounds instead of in one burst, which on a host
   * running many nodes (a simulation) stalled every one of them for seconds.
   */
  private readonly pace: TokenBucket

  constructor(components: PeerRecordsComponents, init: PeerRecordsInit = {}) {
    this.components = components
    this.maxVerifications = init.maxVerifications ?? MAX_RECORD_VERIFICATIONS
    this.now = init.now ?? Date.now
    this.pace = createTokenBucket({
      ratePerSecond: init.checksPerSecond ?? RECORD_CHECKS_PER_SECOND,
      burst: this.maxVerifications,
      now: () => this.now(),
    })
    this.log = components.logger?.child({ component: 'peer-records' })
  }

  async start(): Promise<void> {
    if (this.controller !== undefined) return
    const controller = new AbortController()
    this.controller = controller
    const { signal } = controller
    // Every dial and peer store call listens to it for as long as it lasts: many at once is normal.
    setMaxListeners(Infinity, signal)
    this.components.libp2p.addEventListener('self:peer:update', this.onSelfUpdate, { signal })
    this.components.heartbeats.addEventListener('members.heartbeat', this.onHeartbeat, { signal })
    await this.refreshOwn()
  }

  async stop(): Promise<void> {
    this.controller?.abort()
    this.controller = undefined
    this.waiting.clear()
    await this.sealing
  }

  /** Our signed record as base64, for the heartbeat; undefined until the first is sealed. */
  current(): string | undefined {
    return this.own?.text
  }

  stats(): PeerRecordsStats {
    return { ...this.counters, refused: { ...this.counters.refused } }
  }

  /** Seals a new record when our addresses changed (libp2p announces it by self:peer:update). */
  private readonly onSelfUpdate = (): void => {
    void this.refreshOwn()
  }

  private async refreshOwn(): Promise<void> {
    // One at a time, in order: each sees the addresses (and seq) the previous one sealed.
    this.sealing = this.sealing.then(async () => await this.sealOwn())
    await this.sealing
  }

  private async sealOwn(): Promise<void> {
    if (this.controller === undefined) return
    const addrs = this.components.libp2p
      .getMultiaddrs()
      .map((addr) => addr.decapsulateCode(CODE_P2P))
    const key = addrs.map((addr) => addr.toString()).join(' ')
    if (this.own?.addrs === key || addrs.length === 0) return
    // ms since epoch: a restarted node's record is newer without any state kept.
    const now = BigInt(Math.floor(this.now()))
    const seq = this.own === undefined || now > this.own.seq ? now : this.own.seq + 1n
    try {
      const bytes = await sealPeerRecord(this.components.privateKey, addrs, seq)
      const self = peerIdFromString(this.components.identity.peerId)
      await this.components.libp2p.peerStore.patch(self, { peerRecordEnvelope: bytes })
      this.own = { text: Buffer.from(bytes).toString('base64'), seq, addrs: key }
      this.counters.sealed++
      this.log?.debug({ seq: seq.toString(), addrs: addrs.length }, 'peer record sealed')
    } catch (err) {
      if (this.controller !== undefined) this.log?.warn({ err }, 'peer record not sealed')
    }
  }

  private readonly onHeartbeat = (event: MembershipEvents['members.heartbeat']): void => {
    const { peerId, heartbeat } = event.detail
    const text = heartbeat.peerRecord
    if (text === undefined || peerId === this.components.identity.peerId) return
    if (this.known.get(peerId) === text) {
      this.counters.unchanged++
      return
    }
    if (this.checking.has(peerId)) {
      // One waits per member, the newest: it is checked once the one under way is done.
      this.waiting.set(peerId, text)
      return
    }
    if (this.checking.size >= this.maxVerifications) {
      this.counters.skipped++
      return
    }
    if (!this.pace.take().ok) {
      this.counters.paced++
      return
    }
    this.check(peerId, text)
  }

  private check(peerId: string, text: string): void {
    this.checking.add(peerId)
    void this.consider(peerId, text).finally(() => {
      this.checking.delete(peerId)
      const next = this.waiting.get(peerId)
      this.waiting.delete(peerId)
      if (next !== undefined && this.controller !== undefined && this.known.get(peerId) !== next) {
        this.check(peerId, next)
      }
    })
  }

  private async consider(peerId: string, text: string): Promise<void> {
    const signal = this.controller?.signal
    if (signal === undefined) return
    try {
      const id = peerIdFromString(peerId)
      const stored = await this.stored(id, signal)
      const check = await checkPeerRecord(Buffer.from(text, 'base64'), {
        sender: peerId,
        storedSeq: storedRecordSeq(stored?.peerRecordEnvelope),
      })
      if (check.verdict === 'refuse') {
        this.counters.refused[check.code]++
        this.log?.debug({ peerId, code: check.code, detail: check.detail }, 'peer record refused')
        return
      }
      if (check.verdict === 'accept') {
        const { record } = check
        await this.components.libp2p.peerStore.patch(
          id,
          {
            peerRecordEnvelope: record.bytes,
            addresses: record.addrs.map((multiaddr) => ({ multiaddr, isCertified: true })),
          },
          { signal },
        )
        if (stored?.tags.has(MEMBER_TAG) !== true) {
          await this.components.libp2p.peerStore.merge(
            id,
            { tags: { [MEMBER_TAG]: { value: 1 } } },
            { signal },
          )
        }
        this.counters.accepted++
        this.log?.debug({ peerId, seq: record.seq.toString() }, 'peer record stored')
      } else {
        this.counters.unchanged++
      }
      this.remember(peerId, text)
    } catch (err) {
      if (signal.aborted) return
      this.counters.storeFailures++
      this.log?.debug({ err, peerId }, 'peer record not stored')
    }
  }

  private async stored(id: PeerId, signal: AbortSignal): Promise<Peer | undefined> {
    try {
      return await this.components.libp2p.peerStore.get(id, { signal })
    } catch (err) {
      if ((err as { name?: string }).name === 'NotFoundError') return undefined
      throw err
    }
  }

  /** Bounded: at most `maxVerifications`·32 members remembered; the oldest go first. */
  private remember(peerId: string, text: string): void {
    this.known.delete(peerId)
    this.known.set(peerId, text)
    const cap = this.maxVerifications * 32
    for (const oldest of this.known.keys()) {
      if (this.known.size <= cap) break
      this.known.delete(oldest)
    }
  }
}

/** Service factory: `peerRecords(init)(components)`. */
export function peerRecords(
  init: PeerRecordsInit = {},
): (components: PeerRecordsComponents) => PeerRecords {
  return (components) => new PeerRecords(components, init)
}
