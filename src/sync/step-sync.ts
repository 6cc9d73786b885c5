import type { Connection, Libp2p } from '@libp2p/interface'
import { LRUCache } from 'lru-cache'
import { requestOnce, serveRequests } from '../rpc/request-response.js'
import { adjustmentFor, reconcileSteps, stepNow } from './reconcile.js'
import type { StepClock } from './step-clock.js'

export const SYNC_PROTOCOL = '/patternmesh/sync/1.0.0'
const REQUEST = Uint8Array.of(1)

type SyncNode = Pick<Libp2p, 'dialProtocol' | 'handle' | 'unhandle' | 'getConnections'>

export interface StepSyncInit {
  node: SyncNode
  clock: StepClock
  /** A sealed step-sync frame for the current step: proof that the answer knows the key. */
  sealStepFrame: () => Uint8Array
  /** The step of a peer's sealed step-sync frame, or undefined when it does not verify. */
  verifyStepFrame: (frame: Uint8Array, peerId: string) => number | undefined
  /** Publishes this node's step on the control topic. */
  announce: () => Promise<void>
  announceIntervalMs: number
  timeoutMs: number
  /** Peers asked at once when joining. */
  maxPeersAsked: number
  /** Peer steps older than this are left out of the reconciliation. */
  staleAfterMs: number
  maxTrackedPeers: number
  onError?: (err: unknown, context: string) => void
}

export interface StepSyncStats {
  trackedPeers: number
  meshStep: number | undefined
  holds: number
  advances: number
}

/**
 * Keeps the node's step with the mesh: answers `/patternmesh/sync/1.0.0`, asks peers when
 * joining, announces its step, and reconciles with the lower median of what peers announce.
 */
export class StepSync {
  private readonly init: StepSyncInit
  private readonly peerSteps: LRUCache<string, { step: number; at: number }>
  private timer: NodeJS.Timeout | undefined
  private holds = 0
  private advances = 0

  constructor(init: StepSyncInit) {
    this.init = init
    this.peerSteps = new LRUCache({ max: init.maxTrackedPeers })
  }

  async start(): Promise<void> {
    await serveRequests(this.init.node, SYNC_PROTOCOL, () => this.init.sealStepFrame(), {
      timeoutMs: this.init.timeoutMs,
      maxRequestBytes: 16,
      onError: (err) => this.init.onError?.(err, 'sync request'),
    })
  }

  /** Starts the periodic announce + reconcile round (after the join sync). */
  startAnnouncing(): void {
    if (this.timer !== undefined) return
    const round = (): void => {
      this.reconcile()
      this.init.announce().catch((err: unknown) => this.init.onError?.(err, 'step announcement'))
      this.timer = setTimeout(round, this.init.announceIntervalMs)
    }
    this.timer = setTimeout(round, 0)
  }

  async stop(): Promise<void> {
    clearTimeout(this.timer)
    this.timer = undefined
    await this.init.node.unhandle(SYNC_PROTOCOL).catch(() => undefined)
  }

  setAnnounceInterval(ms: number): void {
    this.init.announceIntervalMs = ms
  }

  /**
   * The join sync: asks up to `maxPeersAsked` connected peers for their step and takes the
   * lower median of the verified answers, forward or back (nothing is published before this,
   * and a node whose wall-clock step is ahead of the mesh would otherwise be out of its step
   * window until the mesh caught up). Returns that step, or undefined when nobody answered.
   */
  async requestCurrentStep(): Promise<number | undefined> {
    const peers = uniquePeers(this.init.node.getConnections()).slice(0, this.init.maxPeersAsked)
    const answers = await Promise.all(
      peers.map(async (conn) => {
        try {
          const frame = await requestOnce(this.init.node, conn.remotePeer, SYNC_PROTOCOL, REQUEST, {
            timeoutMs: this.init.timeoutMs,
            maxResponseBytes: 4096,
          })
          const step = this.init.verifyStepFrame(frame, conn.remotePeer.toString())
          if (step !== undefined) this.record(conn.remotePeer.toString(), step)
          return step
        } catch (err) {
          this.init.onError?.(err, `sync request to ${conn.remotePeer.toString()}`)
          return undefined
        }
      }),
    )
    const meshStep = reconcileSteps(answers.filter((s): s is number => s !== undefined))
    if (meshStep !== undefined && this.init.clock.adopt(meshStep)) this.advances++
    return meshStep
  }

  /** A peer's step, from a verified announcement or heartbeat. */
  record(peerId: string, step: number): void {
    this.peerSteps.set(peerId, { step, at: Date.now() })
  }

  forget(peerId: string): void {
    this.peerSteps.delete(peerId)
  }

  /** The step the mesh agrees on now, own step included. */
  meshStep(): number | undefined {
    const now = Date.now()
    const fresh = now - this.init.staleAfterMs
    const steps = [this.init.clock.step]
    for (const { step, at } of this.peerSteps.values())
      if (at >= fresh) steps.push(stepNow(step, at, now, this.init.clock.interval))
    return reconcileSteps(steps)
  }

  reconcile(): void {
    const adjustment = adjustmentFor(this.init.clock.step, this.meshStep())
    if (adjustment.action === 'advance') {
      if (this.init.clock.advanceTo(adjustment.to)) this.advances++
    } else if (adjustment.action === 'hold') {
      this.init.clock.hold()
      this.holds++
    }
  }

  stats(): StepSyncStats {
    return {
      trackedPeers: this.peerSteps.size,
      meshStep: this.meshStep(),
      holds: this.holds,
      advances: this.advances,
    }
  }
}

function uniquePeers(connections: Connection[]): Connection[] {
  const seen = new Set<string>()
  return connections.filter((conn) => {
    const id = conn.remotePeer.toString()
    if (seen.has(id) || conn.status !== 'open') return false
    seen.add(id)
    return true
  })
}
