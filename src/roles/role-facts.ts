/**
 * The facts the role rules read, gathered for RoleManager: whether this node has heard the
 * mesh, who misbehaves in our view, this node as a candidate, and the member table as the
 * election sees it (`TableView`, judged by principal-view.ts). State that decisions change
 * (the held claim, the last claim message of the principal, ROLE advice) stays with
 * RoleManager and is read through the accessors.
 */
import { statusFor } from '../membership/index.js'
import type { HeldClaim } from './claim-types.js'
import { MAX_TRACKED_OFFENDERS } from './constants.js'
import { canBePrincipal, type Candidate } from './election.js'
import { RejectTracker } from './misbehaviour.js'
import type { TableView } from './principal-view.js'
import type { RoleTiming } from './role-timing.js'
import type { MeshConfig } from '../config/index.js'
import type { RolesMembership } from './role-types.js'

export interface RoleFactsInit {
  node: { readonly peerId: string; readonly config: Readonly<MeshConfig> }
  membership: Pick<RolesMembership, 'memberView' | 'localState'>
  timing: RoleTiming
  /** The claim this node holds now. */
  current: () => HeldClaim
  /** Arrival of the current principal's last role-claim message (a claim proves life). */
  principalClaimAt: () => number
  /** Eligible by ROLE advice (`setEligible`). */
  localEligible: () => boolean
}

export class RoleFacts {
  private readonly init: RoleFactsInit
  private readonly rejects = new RejectTracker(MAX_TRACKED_OFFENDERS)
  private startedAt = 0
  /** First sign of the mesh: a peer heartbeat or claim, or a step sync answered by peers. */
  private heardAt: number | undefined
  /** First member table a peer answered with. */
  private tableAt: number | undefined

  constructor(init: RoleFactsInit) {
    this.init = init
  }

  /** The node (re)starts following the mesh: uptime and hearing count from `now`. */
  markStarted(now: number): void {
    this.startedAt = now
    this.heardAt = undefined
    this.tableAt = undefined
  }

  uptimeMs(now: number): number {
    return now - this.startedAt
  }

  /** Notes a sign of the mesh; on the first, returns when the hearing gate opens. */
  noteHeard(at: number): number | undefined {
    if (this.heardAt !== undefined) return undefined
    this.heardAt = at
    return at + this.init.timing.hearMeshMs()
  }

  /**
   * A peer answered with its member table (fast joining): we know who is there and what they
   * follow, so the mesh is heard at once, without waiting for a heartbeat round.
   */
  noteTable(at: number): void {
    this.tableAt ??= at
  }

  /**
   * Heard the mesh: a peer's member table, one heartbeat round after its first sign, or alone
   * a whole dead period.
   */
  heardMesh(now: number): boolean {
    if (now >= this.startedAt + this.init.timing.deadPeriodMs()) return true
    if (this.tableAt !== undefined && now >= this.tableAt) return true
    return this.heardAt !== undefined && now >= this.heardAt + this.init.timing.hearMeshMs()
  }

  /** Records a rejected frame from `peerId`; true when this one made it misbehaving. */
  recordReject(peerId: string, at: number): boolean {
    return this.rejects.record(peerId, at, this.init.timing.misbehaviourPolicy())
  }

  misbehaving(peerId: string, now: number): boolean {
    return this.rejects.isMisbehaving(peerId, now, this.init.timing.misbehaviourPolicy())
  }

  /** This node as the election sees it (observer and weight are checked by canBePrincipal). */
  selfCandidate(): Candidate {
    const { node, membership } = this.init
    const config = node.config
    return {
      id: node.peerId,
      status: 'alive',
      weight: config.weight,
      eligible: this.init.localEligible() && membership.localState.status === 'active',
      observer: config.observer,
    }
  }

  /** May this node be principal, in its own view? */
  selfEligible(): boolean {
    return canBePrincipal(this.selfCandidate(), this.init.node.config.maxWeight)
  }

  tableView(now: number): TableView {
    const config = this.init.node.config
    const current = this.init.current()
    return {
      members: this.init.membership.memberView(),
      self: this.selfCandidate(),
      principal: current.principal,
      principalWeight: current.weight,
      presumeUnheardAlive: now < this.startedAt + this.init.timing.deadPeriodMs(),
      // A principal heartbeats at its own interval: a claim not followed by one is timed by it.
      principalClaimStatus: statusFor(
        this.init.principalClaimAt(),
        now,
        this.init.timing.principalIntervalMs(),
        config.suspectAfter,
        config.deadAfter,
      ),
      misbehaving: (peerId) => this.misbehaving(peerId, now),
      maxWeight: config.maxWeight,
    }
  }
}
