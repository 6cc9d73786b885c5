/**
 * Ports: the narrow interfaces the services (membership, roles, advice, observer, peer
 * manager, anomaly reports, …) take from the messaging core and from libp2p. Types only, so a
 * service depends on what it uses and never on MeshNode or on the composition root; tests pass
 * small stubs. A service's own `XComponents` picks from these.
 */
import type { Message } from '@libp2p/gossipsub'
import type { Libp2p } from '@libp2p/interface'
import type { TypedEventTarget } from 'main-event'
import type { MeshConfig } from '../config/index.js'
import type { Envelope, EnvelopeKind, VerdictCode, VerifyResult } from '../protocol/index.js'
import type { MeshNodeEvents } from './events.js'

/** What `broadcast()` and `sendControl()` resolve to. */
export interface BroadcastReceipt {
  /** Hex of the frame's tag: the message id, the same on every node. */
  id: string
  step: number
  seq: number
}

/** Who this node is, and the mesh's step as it stands here. */
export interface NodeIdentity {
  readonly peerId: string
  readonly step: number
}

/** Every envelope kind but `data`: they travel on the control topic. */
export type ControlKind = Exclude<EnvelopeKind, 'data'>

/** A control frame that passed the common checks (pattern, tag, sender, step window, replay). */
export interface ControlFrame {
  /** Hex of the frame's tag. */
  id: string
  envelope: Envelope
  /** The peer that signed the gossip message (StrictSign), i.e. the envelope's sender. */
  from: string
  receivedAt: number
  /** The gossip message as received, when it came by gossip (evidence for anomaly reports). */
  gossip?: Message
}

/**
 * A control handler's answer about its payload, inside gossipsub's validator: `accept`
 * delivers and forwards it, `ignore` drops it, `reject` drops it and lowers the signer's
 * score (Lodestar's gossipValidatorFn). Handlers are synchronous and do not throw.
 */
export type ControlVerdict =
  { verdict: 'accept' } | { verdict: 'ignore' | 'reject'; code: VerdictCode; detail: string }

export type ControlHandler = (frame: ControlFrame) => ControlVerdict

/** Sending and receiving control frames. */
export interface ControlChannel {
  /** Seals `data` as a frame of `kind` and publishes it on the control topic at once. */
  sendControl(kind: ControlKind, data: Uint8Array): Promise<BroadcastReceipt>
  /**
   * Registers the one handler of `kind`. It decodes and checks the payload and returns the
   * verdict; it is removed when `signal` aborts. A kind with no handler is ignored.
   */
  handleControl(kind: ControlKind, handler: ControlHandler, options: { signal: AbortSignal }): void
}

/** The node's config as it is now; CONFIG advice and reloads change it live. */
export interface LiveConfig {
  readonly config: Readonly<MeshConfig>
  /** Applies live-changeable keys and emits `config.changed`. */
  applyConfig(changes: Partial<MeshConfig>): void
}

/** The node's typed events (`message`, `verdict`, `step.changed`, `config.changed`, …). */
export type NodeEvents = Pick<
  TypedEventTarget<MeshNodeEvents>,
  'addEventListener' | 'removeEventListener'
>

/** What services use of libp2p: protocols, dials, connections and the peer store. */
export type Libp2pSurface = Pick<
  Libp2p,
  | 'peerId'
  | 'handle'
  | 'unhandle'
  | 'dial'
  | 'dialProtocol'
  | 'hangUp'
  | 'getConnections'
  | 'getPeers'
  | 'getMultiaddrs'
  | 'peerStore'
  | 'addEventListener'
  | 'removeEventListener'
>

/** The components every service may pick from; the composition root provides them. */
export interface CoreComponents {
  identity: NodeIdentity
  control: ControlChannel
  liveConfig: LiveConfig
  events: NodeEvents
  libp2p: Libp2pSurface
}

/**
 * A long-lived part: `start()` makes one AbortController (every listener is added with its
 * signal, every wait is abortable), `stop()` aborts it; calling either twice is harmless.
 */
export interface Service {
  start(): Promise<void>
  stop(): Promise<void>
}

/** An accepted data frame: its envelope, its bytes as received (body ‖ tag) and its tag. */
export interface AcceptedDataFrame {
  envelope: Envelope
  frame: Uint8Array
  tag: Uint8Array
}

/**
 * The delivery service's tap on the data path (DESIGN §15): it keeps every accepted frame for
 * repair, and is the one place that decides whether a frame is delivered (`message`) for the
 * first time. Called synchronously inside gossipsub's validator; must not throw.
 */
export interface DataTap {
  /** An accepted data frame (gossip or repair): true to deliver it, false if delivered before. */
  accepted(frame: AcceptedDataFrame): boolean
  /** Our own data frames, as sealed into a batch we publish (gossipsub never echoes them). */
  sealed(frames: ReadonlyArray<{ seq: number; frame: Uint8Array }>): void
}

/** What the delivery service (retention and repair) uses of the receive path. */
export interface DeliveryPort {
  /** Installs the one tap; removed when `signal` aborts. */
  tapData(tap: DataTap, options: { signal: AbortSignal }): void
  /**
   * The receive checks for a frame that came over repair: pattern and tag at the frame's own
   * step, no live step window but at most `maxAgeSteps` old, the sender is the envelope's
   * senderId, no replay memory (the tap deduplicates).
   */
  verifyRepaired(frame: Uint8Array, maxAgeSteps: number): VerifyResult
  /**
   * Publishes the verdict of a repaired frame (`from` = the peer that answered, `topic` = the
   * repair protocol) and, when accepted and new to the tap, delivers it as a `message`.
   */
  deliverRepaired(result: VerifyResult, frame: Uint8Array, from: string, topic: string): void
}
