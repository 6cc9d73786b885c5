/**
 * What directed messaging uses and answers (DESIGN §15): its components, picked from the
 * node's ports, and the shapes of a send's result, an acknowledged broadcast and the stats
 * that the sender and the receiver count into.
 */
import type { Logger } from 'pino'
import type { FrameVerdictDetail, MeshMessage } from '../node/events.js'
import type {
  BroadcastReceipt,
  Libp2pSurface,
  LiveConfig,
  NodeEvents,
  NodeIdentity,
} from '../node/ports.js'
import type { PatternKeys } from '../pattern/index.js'
import type { AckOutcome } from './receipts.js'

/** A member as the router reads it. */
export interface RoutableMember {
  id: string
  status: string
  observer: boolean
}

export interface DirectComponents {
  identity: NodeIdentity
  liveConfig: Pick<LiveConfig, 'config'>
  events: NodeEvents
  libp2p: Pick<Libp2pSurface, 'handle' | 'unhandle' | 'dialProtocol'>
  /** The network key's pattern generator: seals and checks the direct frames. */
  generator: PatternKeys
  /** The member table (without it only this node is a target). */
  members?: { members(): RoutableMember[] }
  roles?: { readonly principal: string | null }
  /** The node's broadcast (acknowledged broadcasts publish through it). */
  broadcast: (data: Uint8Array) => Promise<BroadcastReceipt>
  /** Publishes a node event: delivered direct messages and every direct frame's verdict. */
  emit: <K extends 'message' | 'verdict'>(type: K, detail: DirectEvents[K]) => void
  logger?: Logger
}

interface DirectEvents {
  message: MeshMessage
  verdict: FrameVerdictDetail
}

export interface DirectInit {
  random?: () => number
}

export interface SendOptions {
  timeoutMs?: number
}

export interface SendResult {
  id: string
  /** The peer that acknowledged it. */
  to: string
  attempts: number
}

export interface AckedBroadcast extends BroadcastReceipt, AckOutcome {}

export interface DirectStats {
  sent: number
  attempts: number
  timeouts: number
  refused: number
  received: number
  duplicates: number
  rejected: number
  receiptQueries: number
}

/** All counters at zero: one object, shared by the sender and the receiver. */
export function emptyStats(): DirectStats {
  return {
    sent: 0,
    attempts: 0,
    timeouts: 0,
    refused: 0,
    received: 0,
    duplicates: 0,
    rejected: 0,
    receiptQueries: 0,
  }
}
