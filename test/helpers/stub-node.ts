/**
 * A MeshNode stand-in for unit tests of the services: the same events and `sendControl`, no
 * libp2p. `deliver` plays an accepted control frame from a peer; `sent` records what was sent.
 */
import { TypedEventEmitter } from 'main-event'
import type { MeshConfig } from '../../src/config/index.js'
import type { BroadcastReceipt, MeshNodeEvents } from '../../src/node/index.js'
import type { ControlHandler, ControlKind, ControlVerdict } from '../../src/node/ports.js'
import type { EnvelopeKind } from '../../src/protocol/index.js'
import { testConfig } from './mesh.js'

export class StubNode extends TypedEventEmitter<MeshNodeEvents> {
  readonly peerId: string
  readonly config: MeshConfig
  step = 1000
  readonly sent: Array<{ kind: EnvelopeKind; data: Uint8Array }> = []
  /** The verdicts the registered control handlers gave to delivered frames. */
  readonly verdicts: ControlVerdict[] = []
  private readonly handlers = new Map<ControlKind, ControlHandler>()
  private seq = 0

  constructor(peerId = 'QmSelf', config: Partial<MeshConfig> = {}) {
    super()
    this.peerId = peerId
    this.config = testConfig(config)
  }

  async sendControl(
    kind: Exclude<EnvelopeKind, 'data'>,
    data: Uint8Array,
  ): Promise<BroadcastReceipt> {
    this.sent.push({ kind, data })
    return { id: String(this.seq), step: this.step, seq: this.seq++ }
  }

  /** As MeshNode: one handler per kind, removed when `signal` aborts. */
  handleControl(kind: ControlKind, handler: ControlHandler, opts: { signal: AbortSignal }): void {
    this.handlers.set(kind, handler)
    opts.signal.addEventListener('abort', () => {
      if (this.handlers.get(kind) === handler) this.handlers.delete(kind)
    })
  }

  applyConfig(changes: Partial<MeshConfig>): void {
    Object.assign(this.config, changes)
  }

  sentOf(kind: EnvelopeKind): Uint8Array[] {
    return this.sent.filter((s) => s.kind === kind).map((s) => s.data)
  }

  /**
   * A control frame from `from`, as MeshNode hands it to components: to the handler of its
   * kind (its verdict is kept in `verdicts`), and as the `control` event once accepted.
   */
  deliver(
    from: string,
    kind: Exclude<EnvelopeKind, 'data'>,
    data: Uint8Array,
    step = this.step,
  ): void {
    const detail = {
      id: `${from}-${this.seq}`,
      from,
      receivedAt: Date.now(),
      envelope: {
        v: 1,
        kind,
        senderId: from,
        globalStep: step,
        seq: this.seq++,
        patternValue: 0,
        timestamp: Date.now(),
        data,
      },
    }
    const handler = this.handlers.get(kind)
    if (handler !== undefined) {
      const verdict = handler(detail)
      this.verdicts.push(verdict)
    }
  }

  disconnect(peerId: string): void {
    this.safeDispatchEvent('peer.disconnected', { detail: { peerId } })
  }

  /** Listeners and control handlers still registered on what the services use. */
  listeners(): number {
    return ['verdict', 'step.synced', 'peer.disconnected', 'peer.connected'].reduce(
      (sum, type) => sum + this.listenerCount(type),
      this.handlers.size,
    )
  }
}

/** A node (stub or real) as the core components services take (src/node/ports.ts). */
export function coreOf<
  T extends Pick<
    StubNode,
    'peerId' | 'step' | 'config' | 'sendControl' | 'handleControl' | 'applyConfig'
  > &
    Pick<StubNode, 'addEventListener' | 'removeEventListener'>,
>(node: T): { identity: T; control: T; liveConfig: T; events: T } {
  return { identity: node, control: node, liveConfig: node, events: node }
}
