/**
 * What RoleManager tells the world: its counters, and each event with the log line that goes
 * with it, in one place so every report of a kind is counted, logged and raised alike.
 */
import type { TypedEventTarget } from 'main-event'
import type { Logger } from 'pino'
import type { HeldClaim, IncomingClaim } from './claim-types.js'
import type {
  ClaimRefusal,
  PrincipalChangedDetail,
  RoleManagerEvents,
  SplitBrainDetail,
} from './events.js'
import type { RoleStats } from './role-types.js'
import type { OwnRole } from './state-store.js'

/** A refused claim as reported: what little is known of an invalid one is zeroed. */
export interface RefusedClaim {
  from: string
  principal: string | null
  term: number
  weight: number
}

export class RoleReporter {
  readonly counters: Omit<RoleStats, 'persistFailures'> = {
    claimsSent: 0,
    claimsAdopted: 0,
    staleClaims: 0,
    refusedClaims: 0,
    invalidClaims: 0,
    splitBrains: 0,
    handOvers: 0,
  }

  private readonly events: Pick<TypedEventTarget<RoleManagerEvents>, 'safeDispatchEvent'>
  private readonly log: Logger | undefined

  constructor(
    events: Pick<TypedEventTarget<RoleManagerEvents>, 'safeDispatchEvent'>,
    log: Logger | undefined,
  ) {
    this.events = events
    this.log = log
  }

  stats(persistFailures: number): RoleStats {
    return { ...this.counters, persistFailures }
  }

  principalChanged(
    previous: HeldClaim,
    next: HeldClaim,
    cause: PrincipalChangedDetail['cause'],
  ): void {
    this.log?.info(
      { principal: next.principal, term: next.term, previous: previous.principal, cause },
      'principal changed',
    )
    this.events.safeDispatchEvent('roles.principal-changed', {
      detail: {
        principal: next.principal,
        term: next.term,
        previous: previous.principal,
        previousTerm: previous.term,
        cause,
      },
    })
  }

  rolesChanged(roles: OwnRole[], previous: OwnRole[]): void {
    if (roles.join() !== previous.join())
      this.events.safeDispatchEvent('roles.changed', { detail: { roles, previous } })
  }

  staleClaim(incoming: IncomingClaim, currentTerm: number): void {
    this.counters.staleClaims++
    // Only the claimant's own word is a stale claim; a relay is a member running behind.
    if (incoming.kind === 'relay') return
    this.events.safeDispatchEvent('roles.stale-claim', {
      detail: {
        from: incoming.from,
        principal: incoming.principal,
        term: incoming.term,
        currentTerm,
      },
    })
  }

  /** A better claim whose candidate may not be principal in our view. */
  refusedClaim(incoming: IncomingClaim, refusal: ClaimRefusal): void {
    this.counters.refusedClaims++
    // A relay only repeats what a member believes; the claimant's own word is the one refused.
    if (incoming.kind !== 'relay') this.refused(incoming, refusal)
  }

  /** A role-claim message that does not decode, or claims for another than its sender. */
  invalidClaim(claim: RefusedClaim, reason: ClaimRefusal, detail?: string): void {
    this.counters.invalidClaims++
    this.refused(claim, reason, detail)
  }

  splitBrain(detail: SplitBrainDetail | undefined): void {
    if (detail === undefined) return
    this.counters.splitBrains++
    this.log?.warn(detail, 'split brain: two principals were active')
    this.events.safeDispatchEvent('roles.split-brain', { detail })
  }

  misbehaving(peerId: string, isPrincipal: boolean): void {
    this.log?.warn({ peerId, isPrincipal }, 'peer misbehaving: ineligible in our view')
    this.events.safeDispatchEvent('roles.misbehaving', { detail: { peerId, isPrincipal } })
  }

  private refused(claim: RefusedClaim, reason: ClaimRefusal, detail?: string): void {
    this.log?.debug({ ...claim, reason, detail }, 'claim refused')
    this.events.safeDispatchEvent('roles.claim-refused', {
      detail: {
        from: claim.from,
        principal: claim.principal,
        term: claim.term,
        weight: claim.weight,
        reason,
        ...(detail !== undefined ? { detail } : {}),
      },
    })
  }
}
