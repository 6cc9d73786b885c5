import { PatternmeshError } from '../errors.js'

/** A weight that is not a finite number ≥ 0. */
export class InvalidWeightError extends PatternmeshError {
  constructor(message: string) {
    super('INVALID_WEIGHT', message)
  }
}

/** A weight above the mesh's `maxWeight`: no node may win an election with an absurd weight. */
export class WeightAboveMaxError extends PatternmeshError {
  readonly weight: number
  readonly maxWeight: number

  constructor(weight: number, maxWeight: number) {
    super('WEIGHT_ABOVE_MAX', `weight ${weight} is above maxWeight ${maxWeight}`)
    this.weight = weight
    this.maxWeight = maxWeight
  }
}

/** The role state file exists but cannot be trusted; it is left as it is for the operator. */
export class RoleStateCorruptError extends PatternmeshError {
  readonly path: string

  constructor(path: string, detail: string) {
    super(
      'ROLE_STATE_CORRUPT',
      `role state file ${path} is corrupt (${detail}); it was left untouched: fix or remove it`,
    )
    this.path = path
  }
}

/** The role state could not be read or written (permissions, disk). */
export class RoleStateIoError extends PatternmeshError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('ROLE_STATE_IO', message, options)
  }
}

/** A principal-issued message whose term is older than the current one (fencing token). */
export class StaleTermError extends PatternmeshError {
  constructor(message: string) {
    super('STALE_TERM', message)
  }
}

/** A message claiming the current term from a peer that is not its principal. */
export class NotPrincipalError extends PatternmeshError {
  constructor(message: string) {
    super('NOT_PRINCIPAL', message)
  }
}
