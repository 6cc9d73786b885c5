import { describe, expect, it } from 'vitest'
import { claimReason, type ClaimFacts, type ClaimReason } from '../../src/roles/index.js'

/** A node that has heard the mesh, may be principal, is expected, under a live lighter principal. */
const base: ClaimFacts = {
  heardMesh: true,
  selfEligible: true,
  selfExpected: true,
  principal: 'other',
  principalAlive: true,
  principalEligible: true,
  principalRanksBelowSelf: true,
  claimAgeMs: 60_000,
  stabiliseMs: 10_000,
  weightChanged: false,
  preempt: false,
  uptimeMs: 60_000,
  freshNode: true,
  sinceLastClaimMs: 60_000,
  minClaimGapMs: 1000,
}

describe('claimReason', () => {
  it.each<[string, Partial<ClaimFacts>, ClaimReason | undefined]>([
    ['a settled mesh under a lighter principal, no preempt: nothing', {}, undefined],
    ['no principal', { principal: 'none' }, 'no-principal'],
    ['principal dead', { principalAlive: false }, 'principal-dead'],
    ['principal ineligible', { principalEligible: false }, 'principal-ineligible'],
    ['a weight change changed the outcome', { weightChanged: true }, 'weight-changed'],
    ['formation race', { claimAgeMs: 500, uptimeMs: 2000 }, 'formation'],
    ['not formation when we are old (a healed partition)', { claimAgeMs: 500 }, undefined],
    [
      'not formation for a restarted node',
      { claimAgeMs: 500, uptimeMs: 2000, freshNode: false },
      undefined,
    ],
    ['preempt once up a stabilisation period', { preempt: true }, 'preempt'],
    ['preempt not yet', { preempt: true, uptimeMs: 9_999 }, undefined],
    // Gates, each on its own:
    ['not before hearing the mesh', { principal: 'none', heardMesh: false }, undefined],
    [
      'never when ineligible (observer, weight…)',
      { principal: 'none', selfEligible: false },
      undefined,
    ],
    [
      'never when not the expected principal',
      { principal: 'none', selfExpected: false },
      undefined,
    ],
    ['never when already principal', { principal: 'self', principalAlive: false }, undefined],
    ['not twice within the claim gap', { principal: 'none', sinceLastClaimMs: 999 }, undefined],
    // A heavier principal that is only suspect (so we are "expected") is left alone…
    [
      'a heavier principal, merely suspect',
      { principalRanksBelowSelf: false, weightChanged: true, preempt: true },
      undefined,
    ],
    // …but a dead or ineligible one is replaced whatever its weight.
    [
      'a heavier principal, dead',
      { principalRanksBelowSelf: false, principalAlive: false },
      'principal-dead',
    ],
    [
      'a heavier principal, ineligible',
      { principalRanksBelowSelf: false, principalEligible: false },
      'principal-ineligible',
    ],
  ])('%s', (_what, changes, expected) => {
    expect(claimReason({ ...base, ...changes })).toBe(expected)
  })
})
