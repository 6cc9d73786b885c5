import type { Message } from '@libp2p/gossipsub'
import type { MeshConfig } from '../config/index.js'
import type { Envelope, VerifyResult } from '../protocol/index.js'
import type { StepChangeDetail } from '../sync/step-clock.js'

/** A data message delivered to the application. */
export interface MeshMessage {
  /** Hex of the frame's tag: unique per message, the same on every node. */
  id: string
  envelope: Envelope
  /** The peer that forwarded it to us (gossipsub propagation source). */
  from: string
  receivedAt: number
  /** True for a directed message (DESIGN §15), sent to this node over a direct stream. */
  direct?: boolean
}

/** Every frame's verdict, accepted or not: what observers and metrics consume. */
export interface FrameVerdictDetail {
  topic: string
  /** The peer that signed the gossip message. */
  from: string
  result: VerifyResult
  at: number
  /** The gossip message as received (evidence of what its signer sent). */
  gossip?: Message
}

export interface MeshNodeEvents {
  message: CustomEvent<MeshMessage>
  verdict: CustomEvent<FrameVerdictDetail>
  'step.changed': CustomEvent<StepChangeDetail>
  'step.synced': CustomEvent<{ step: number; source: 'peers' | 'local' }>
  'peer.connected': CustomEvent<{ peerId: string }>
  'peer.disconnected': CustomEvent<{ peerId: string }>
  /** Live config keys changed (CONFIG advice, reload): the keys and their new values. */
  'config.changed': CustomEvent<{ changes: Partial<MeshConfig> }>
  error: CustomEvent<Error>
}
