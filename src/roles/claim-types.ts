import type { Claim } from './election.js'

/** A claim as this node holds it. */
export interface HeldClaim extends Claim {
  /** Local time the claim was issued, as best known (0: unknown, i.e. long ago). */
  issuedAt: number
  /** Local time we started following it. */
  since: number
}

/** A claim as it arrives: in a role-claim message or carried by a heartbeat. */
export interface IncomingClaim extends Claim {
  principal: string
  /** Local time it was issued: arrival minus the age the message states (0 for a claim). */
  issuedAt: number
  /** The peer it came from. */
  from: string
  /** claim: role-claim message; assertion: the principal's own heartbeat; relay: another's. */
  kind: 'claim' | 'assertion' | 'relay'
  /** Local arrival time. */
  at: number
}
