/** Role persistence, pure: roles under a claim, the state written for it, the claim resumed. */
import { describe, expect, it } from 'vitest'
import type { HeldClaim } from '../../src/roles/claim-types.js'
import type { Claim } from '../../src/roles/election.js'
import { persistedStateOf, resumedClaim, rolesFor } from '../../src/roles/role-persistence.js'
import {
  parseRoleState,
  type OwnRole,
  type PersistedRoleState,
} from '../../src/roles/state-store.js'

const SELF = 'Self'

describe('rolesFor', () => {
  it.each<[string, Claim['principal'], boolean, OwnRole[]]>([
    ['we are the principal', SELF, false, ['principal']],
    ['another is principal', 'Other', false, ['member']],
    ['no principal', null, false, ['member']],
    ['an observer named principal is still only an observer', SELF, true, ['observer']],
    ['an observer under another principal', 'Other', true, ['observer']],
    ['an observer with no principal', null, true, ['observer']],
  ])('%s → %j', (_, principal, observer, roles) => {
    expect(rolesFor({ term: 3, principal, weight: 1 }, SELF, observer)).toStrictEqual(roles)
  })
})

describe('persistedStateOf', () => {
  it.each<[string, HeldClaim, OwnRole[]]>([
    [
      'principal',
      { term: 8, principal: SELF, weight: 2.5, issuedAt: 10, since: 20 },
      ['principal'],
    ],
    ['member', { term: 1, principal: 'Other', weight: 7, issuedAt: 0, since: 0 }, ['member']],
    ['no principal', { term: 0, principal: null, weight: 0, issuedAt: 0, since: 0 }, ['observer']],
  ])('writes a state the store accepts back (%s)', (_, claim, roles) => {
    const before = Date.now()
    const state = persistedStateOf(claim, roles)
    const after = Date.now()
    expect(parseRoleState(JSON.parse(JSON.stringify(state)))).toStrictEqual({ ok: true, state })
    expect(state).toMatchObject({
      version: 1,
      term: claim.term,
      principal: claim.principal,
      principalWeight: claim.weight,
      roles,
    })
    expect(state.savedAt).toBeGreaterThanOrEqual(before)
    expect(state.savedAt).toBeLessThanOrEqual(after)
  })
})

describe('resumedClaim', () => {
  const saved = (principal: string | null, principalWeight: number): PersistedRoleState => ({
    version: 1,
    term: 12,
    principal,
    principalWeight,
    roles: principal === SELF ? ['principal'] : ['member'],
    savedAt: 1,
  })

  it.each<[string, PersistedRoleState, Claim]>([
    // The mesh may have moved on: our own principalship is not resumed, only its term.
    [
      'we were principal: none, at that term',
      saved(SELF, 9),
      { term: 12, principal: null, weight: 0 },
    ],
    [
      'another was principal: it is followed',
      saved('Other', 4),
      { term: 12, principal: 'Other', weight: 4 },
    ],
    ['no principal', saved(null, 0), { term: 12, principal: null, weight: 0 }],
  ])('%s', (_, loaded, claim) => {
    const resumed = resumedClaim(loaded, SELF, 50_000)
    // Issued long ago (unknown), followed from now.
    expect(resumed).toStrictEqual({ ...claim, issuedAt: 0, since: 50_000 })
    expect(rolesFor(resumed, SELF, false)).not.toContain('principal')
  })

  it('what a member wrote is what it resumes', () => {
    const held: HeldClaim = { term: 4, principal: 'Other', weight: 6, issuedAt: 900, since: 1_000 }
    const resumed = resumedClaim(persistedStateOf(held, ['member']), SELF, 2_000)
    expect(resumed).toStrictEqual({
      term: 4,
      principal: 'Other',
      weight: 6,
      issuedAt: 0,
      since: 2_000,
    })
  })
})
