import type { Logger } from 'pino'
import type { MeshConfig } from '../config/index.js'
import type { BroadcastReceipt, MeshNodeEvents, MeshNodeStats } from '../node/index.js'
import type { AdviceView } from '../advice/index.js'
import type { AckedBroadcast, MessagePage, SendResult } from '../direct/index.js'
import type { Anomaly, AnomalyKind } from '../observer/anomaly.js'
import type { NetworkMetrics, PeerStats } from '../observer/index.js'

/** Member statuses the API shows (DESIGN §8, §13: `leaving` announced, `left` recorded). */
export const MEMBER_STATUSES = ['alive', 'suspect', 'dead', 'leaving', 'left'] as const
export type MemberStatusView = (typeof MEMBER_STATUSES)[number]

/** A member of the mesh as the API shows it (DESIGN §8 `/v1/peers`). */
export interface PeerView {
  peerId: string
  status: MemberStatusView
  /** Election weight, null while no membership component knows it. */
  weight: number | null
  roles: string[]
  /** The last step heard from this peer, null if none yet. */
  step: number | null
  /** ms since the epoch of the last frame or connection seen, null if unknown. */
  lastSeen: number | null
  /** Whether the peer runs as an observer, null if unknown. */
  observer: boolean | null
  /** The heartbeat interval the peer announced (ms), null if unknown or not announced. */
  heartbeatIntervalMs?: number | null
  /** Known multiaddrs of the peer (peer store), when a provider knows them (DESIGN §13). */
  addrs?: string[]
  /** Whether this node has an open libp2p connection to the peer. */
  connected?: boolean
  /** Frames dropped unread while gossipsub graylisted the peer (DESIGN §14). */
  droppedWhileGraylisted?: number
}

// Anomalies belong to the observer; re-exported here so API users keep one import.
export {
  ANOMALY_KINDS,
  type Anomaly,
  type AnomalyKind,
  type AnomalySeverity,
} from '../observer/anomaly.js'

/** Role state for `/v1/status`, once the roles component exists. */
export interface RoleStateView {
  term: number
  principal: string | null
  roles: string[]
}

/** An event pushed onto `/v1/events` by a component (anomaly, role, advice, …). */
export interface ApiEvent {
  type: string
  /** ms since the epoch; filled in when absent. */
  at?: number
  [field: string]: unknown
}

/** The node events the API listens to: a subset of MeshNodeEvents. */
export type ApiNodeEvents = Omit<MeshNodeEvents, 'error'>

type Listener<E> = ((event: E) => void) | { handleEvent(event: E): void }

/**
 * What the API uses of a node: MeshNode satisfies it as it is. The optional providers are
 * where later components plug in (membership, roles, observer); without them the API answers
 * from what the node itself knows.
 */
export interface ApiNode {
  /** Throws NotStartedError before start; the API treats that as "unknown". */
  readonly peerId: string
  readonly step: number
  readonly isStarted: boolean
  /**
   * The node's live config: read on every request, so a CONFIG advice or a reload that
   * changes `apiRateLimit` takes effect at once. `targetPeers` belongs to the peer manager.
   */
  readonly config: Readonly<
    Pick<MeshConfig, 'meshId' | 'observer' | 'weight'> &
      Partial<Pick<MeshConfig, 'apiRateLimit'>> & { targetPeers?: number }
  >
  connectedPeers(): string[]
  stats(): Pick<MeshNodeStats, 'verdicts' | 'delivered' | 'outbound' | 'patternCache'>
  broadcast(data: Uint8Array | string): Promise<BroadcastReceipt>
  /** Resolves once the join sync of the current start is over. */
  whenReady(): Promise<void>
  addEventListener<K extends keyof ApiNodeEvents>(
    type: K,
    listener: Listener<ApiNodeEvents[K]> | null,
  ): void
  removeEventListener<K extends keyof ApiNodeEvents>(
    type: K,
    listener?: Listener<ApiNodeEvents[K]> | null,
  ): void
  /** The member table (membership component); default: connected peers, all alive. */
  memberViews?: () => PeerView[]
  /** Recorded anomalies, newest first (observer component); default: none. */
  anomalies?: () => Anomaly[]
  /** Anomaly occurrences per kind since start, for `/metrics` (observer). */
  anomalyTotals?: () => Partial<Record<AnomalyKind, number>>
  /** Mesh-wide figures (observer); `/v1/metrics/network` answers 503 without it. */
  networkMetrics?: () => NetworkMetrics
  /** Per-peer statistics (observer), merged into `/v1/peers`. */
  peerStats?: () => PeerStats[]
  /** Known multiaddrs of a peer (peer store), for `/v1/peers`. */
  peerAddrs?: (peerId: string) => string[]
  /** Frames of a peer dropped unread while it was graylisted, for `/v1/peers`. */
  droppedWhileGraylisted?: (peerId: string) => number | undefined
  /** Every peer's graylisted drops since start, for `/metrics` (observer). */
  droppedWhileGraylistedTotal?: () => number
  /** Term, principal and own roles (roles component); default: term 0, no principal. */
  roleState?: () => RoleStateView
  /** Advice (advice component); without it the advice routes answer 503. */
  advice?: ApiAdvice
  /** The keyring (`/v1/keys`); without it those routes answer 503. */
  keys?: ApiKeys
  /**
   * The Prometheus text of the peer's own registry (core, libp2p and services' metrics),
   * served by `/metrics` beside the API's.
   */
  peerMetrics?: () => Promise<string>
  /** The log of delivered messages (`GET /v1/messages`); without it that route answers 503. */
  messageLog?: ApiMessageLog
  /** Directed messages (`to`) and acknowledged broadcasts (`ack`); without it they answer 503. */
  direct?: ApiDirect
  /** Subscribes to component events for `/v1/events`; returns the unsubscribe function. */
  subscribeEvents?: (listener: (event: ApiEvent) => void) => () => void
}

/** What the routes use of the keyring (KeyringService satisfies it). */
export interface ApiKeys {
  list(): Array<{ id: string; primary: boolean; members: number }>
  /** `meta`: who asked, for the key audit log. */
  install(hex: string, meta: { who: string }): Promise<KeyOpAnswer>
  use(id: string, meta: { who: string }): Promise<KeyOpAnswer>
  remove(id: string, meta: { who: string }): Promise<KeyOpAnswer>
}

export interface KeyOpAnswer {
  op: string
  id: string
  results: Array<{ member: string; status: string; detail?: string }>
}

/** What the advice routes use of the advice component (AdviceService satisfies it). */
export interface ApiAdvice {
  list(): AdviceView[]
  get(id: string): AdviceView | undefined
  issue(request: unknown, meta: { who: string }): Promise<{ id: string }>
  rollback(id: string, ttlMs: number | undefined, meta: { who: string }): Promise<{ id: string }>
}

/** What `GET /v1/messages` uses of the message log (MessageLog satisfies it). */
export interface ApiMessageLog {
  read(after: number | undefined, limit: number): MessagePage
  stats(): { dropped: number }
}

/** What `POST /v1/messages` with `to` or `ack` uses (DirectMessaging satisfies it). */
export interface ApiDirect {
  send(to: string, data: Uint8Array | string, options: { timeoutMs?: number }): Promise<SendResult>
  broadcastAcked(
    data: Uint8Array | string,
    ack: number,
    options: { timeoutMs?: number },
  ): Promise<AckedBroadcast>
}

export interface ApiRateLimit {
  /** Sustained writes per second (token refill rate). */
  writesPerSecond: number
  /** Writes allowed at once (bucket size). */
  burst: number
}

export interface ApiDeps {
  node: ApiNode
  /** Admin bearer token (`apiToken`): writes, and everything a read token opens. */
  token: string
  /** Read-only bearer token (`apiReadToken`): the event stream and GETs, never a write. */
  readToken?: string
  host: string
  /** 0 picks a free port (tests). */
  port: number
  version: string
  logger?: Logger
  /** Write limit; overrides the node's live `apiRateLimit` config (tests). */
  rateLimit?: ApiRateLimit
  /**
   * Largest request body read, bytes. Default 64 KiB, and 1 MiB for `POST /v1/messages`
   * (a batch); when given, it holds for every route.
   */
  maxBodyBytes?: number
  /** Extra fields for `/v1/status` (the contract fields win over them). */
  extraStatus?: () => Record<string, unknown>
  /** Per-client send buffer of `/v1/events` beyond which events are dropped, bytes. */
  eventBufferBytes?: number
  /** Ping period of `/v1/events` clients; one that misses a pong is closed (default 30 s). */
  eventPingIntervalMs?: number
}

export interface ApiAddress {
  host: string
  port: number
}

export interface ApiServer {
  /** Listens; resolves with the bound address (the real port when `port` was 0). */
  start(): Promise<ApiAddress>
  /** Closes the server, every WebSocket client and timer; harmless twice. */
  stop(): Promise<void>
  /** The bound address once started. */
  readonly address: ApiAddress | undefined
}
