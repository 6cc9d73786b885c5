/**
 * The step the mesh agrees on, from the steps its members report (own step included).
 *
 * The lower median: a minority of liars cannot move it, whether they claim 10^9 or 0, since
 * more than half of the values lie on each side of it only if honest nodes put them there.
 * The lower (not upper) median of an even count means one liar among two nodes cannot drag
 * an honest node forward, and a node never goes backwards anyway.
 */
export function reconcileSteps(steps: readonly number[]): number | undefined {
  const valid = steps.filter((s) => Number.isSafeInteger(s) && s >= 0)
  if (valid.length === 0) return undefined
  valid.sort((a, b) => a - b)
  return valid[Math.floor((valid.length - 1) / 2)]
}

/** What the local clock should do, given its step and the mesh's (pure, table-tested). */
export type StepAdjustment =
  | { action: 'none' }
  | { action: 'advance'; to: number }
  /** Ahead of the mesh: skip ticks until it catches up (steps never go backwards). */
  | { action: 'hold' }

export function adjustmentFor(
  localStep: number,
  meshStep: number | undefined,
  tolerance = 1,
): StepAdjustment {
  if (meshStep === undefined) return { action: 'none' }
  if (meshStep > localStep) return { action: 'advance', to: meshStep }
  if (localStep - meshStep > tolerance) return { action: 'hold' }
  return { action: 'none' }
}

/**
 * A peer's step as of `now`, from the step it announced at `at`: plus the interval boundaries
 * passed since, as its clock ticks on them too. Announcements ride on heartbeats, which may
 * come many steps apart; taken as they were, they would pull the mesh's step back.
 */
export function stepNow(step: number, at: number, now: number, intervalMs: number): number {
  return step + Math.max(0, Math.floor(now / intervalMs) - Math.floor(at / intervalMs))
}
