/**
 * The durations the role rules use, in milliseconds. Every one is a number of heartbeats times
 * the node's interval, read live: a CONFIG advice may change the interval at any time.
 */
import { principalIntervalMs } from '../config/index.js'
import {
  DEFAULT_MISBEHAVIOUR_REJECTS,
  DEFAULT_MISBEHAVIOUR_WINDOW_HEARTBEATS,
  DEFAULT_STABILISE_HEARTBEATS,
  HEAR_MESH_HEARTBEATS,
  MIN_CLAIM_GAP_HEARTBEATS,
  SPLIT_BRAIN_GRACE_HEARTBEATS,
} from './constants.js'
import { statusDeadlines } from '../membership/index.js'
import type { MisbehaviourPolicy } from './misbehaviour.js'
import type { LiveConfig } from '../node/ports.js'
import type { RoleManagerInit } from './role-types.js'

export class RoleTiming {
  private readonly node: Pick<LiveConfig, 'config'>
  private readonly init: Pick<RoleManagerInit, 'stabiliseHeartbeats' | 'misbehaviour'>

  constructor(
    node: Pick<LiveConfig, 'config'>,
    init: Pick<RoleManagerInit, 'stabiliseHeartbeats' | 'misbehaviour'>,
  ) {
    this.node = node
    this.init = init
  }

  interval(): number {
    return this.node.config.heartbeatIntervalMs
  }

  /** The principal's heartbeat interval: a claim not followed by a heartbeat is timed by it. */
  principalIntervalMs(): number {
    return principalIntervalMs(this.node.config)
  }

  /** When a claim issued at `claimAt` reads as dead if no heartbeat of its principal follows. */
  claimDeadAt(claimAt: number): number {
    const { suspectAfter, deadAfter } = this.node.config
    return statusDeadlines(claimAt, {
      heartbeatIntervalMs: this.principalIntervalMs(),
      suspectAfter,
      deadAfter,
    }).deadAt
  }

  /** A whole `deadAfter` period: how long a node alone waits before it may claim. */
  deadPeriodMs(): number {
    return this.node.config.deadAfter * this.interval()
  }

  /** How young a claim counts as part of a formation race (and how long `preempt` waits). */
  stabiliseMs(): number {
    return (this.init.stabiliseHeartbeats ?? DEFAULT_STABILISE_HEARTBEATS) * this.interval()
  }

  minClaimGapMs(): number {
    return MIN_CLAIM_GAP_HEARTBEATS * this.interval()
  }

  /** One heartbeat round after the first sign of the mesh: its heartbeats have arrived. */
  hearMeshMs(): number {
    return HEAR_MESH_HEARTBEATS * this.interval()
  }

  /** Overlap of two principals tolerated as a hand-over. */
  splitBrainGraceMs(): number {
    return SPLIT_BRAIN_GRACE_HEARTBEATS * this.interval()
  }

  misbehaviourPolicy(): MisbehaviourPolicy {
    return {
      threshold: this.init.misbehaviour?.rejects ?? DEFAULT_MISBEHAVIOUR_REJECTS,
      windowMs:
        (this.init.misbehaviour?.windowHeartbeats ?? DEFAULT_MISBEHAVIOUR_WINDOW_HEARTBEATS) *
        this.interval(),
    }
  }
}
