import { describe, expect, it } from 'vitest'
import type { Member } from '../../src/membership/index.js'
import {
  principalFacts,
  refusalOf,
  weightChangeMatters,
  type ClaimRefusal,
  type ClaimToJudge,
  type TableView,
} from '../../src/roles/index.js'

function member(id: string, weight: number, changes: Partial<Member> = {}): Member {
  return {
    id,
    status: 'alive',
    weight,
    lastSeen: 0,
    roles: [],
    version: '',
    metadata: {},
    step: 0,
    term: 1,
    principal: null,
    principalWeight: 0,
    termAgeMs: 0,
    observer: false,
    eligible: true,
    activity: 'active',
    intervalMs: null,
    joinedAt: 0,
    statusChangedAt: 0,
    heartbeats: 1,
    ...changes,
  }
}

function view(changes: Partial<TableView> = {}): TableView {
  return {
    members: [member('p', 50), member('q', 10)],
    self: { id: 's', status: 'alive', weight: 30, eligible: true, observer: false },
    principal: 'p',
    principalWeight: 50,
    presumeUnheardAlive: false,
    principalClaimStatus: 'dead',
    misbehaving: () => false,
    maxWeight: 100,
    ...changes,
  }
}

describe('principalFacts', () => {
  it.each<[string, Partial<TableView>, Record<string, unknown>]>([
    [
      'a live heavier principal',
      {},
      {
        expected: 'p',
        principalAlive: true,
        principalEligible: true,
        principalRanksBelowSelf: false,
      },
    ],
    [
      'a dead principal',
      { members: [member('p', 50, { status: 'dead' })] },
      { expected: 's', principalAlive: false },
    ],
    [
      'a dead principal whose claim message just arrived',
      { members: [member('p', 50, { status: 'dead' })], principalClaimStatus: 'alive' },
      { principalAlive: true },
    ],
    [
      'a suspect principal: alive, but not a candidate',
      { members: [member('p', 50, { status: 'suspect' })] },
      { expected: 's', principalAlive: true, principalRanksBelowSelf: false },
    ],
    [
      'a misbehaving principal',
      { misbehaving: (id) => id === 'p' },
      { expected: 's', principalEligible: false },
    ],
    [
      'a principal reporting an error status',
      { members: [member('p', 50, { activity: 'error' })] },
      { expected: 's', principalEligible: false },
    ],
    [
      'a lighter principal',
      { members: [member('p', 20)], principalWeight: 20 },
      { expected: 's', principalRanksBelowSelf: true },
    ],
    [
      'an unheard principal, still presumed alive: ranks by its claimed weight',
      { members: [], presumeUnheardAlive: true },
      { expected: 'p', principalAlive: true, principalEligible: true },
    ],
    [
      'an unheard principal after the presumption: dead',
      { members: [] },
      { expected: 's', principalAlive: false, principalEligible: false },
    ],
    ['no principal', { principal: null }, { expected: 'p', principalAlive: true }],
  ])('%s', (_what, changes, expected) => {
    expect(principalFacts(view(changes))).toMatchObject(expected)
  })
})

describe('weightChangeMatters', () => {
  it.each<[string, Partial<TableView>, string, number, boolean]>([
    ['q rises above everyone', { members: [member('p', 50), member('q', 60)] }, 'q', 10, true],
    ['q rises, still below p', { members: [member('p', 50), member('q', 20)] }, 'q', 10, false],
    ['the principal changes weight', {}, 'p', 40, true],
    [
      'we rise above the principal',
      { self: { id: 's', status: 'alive', weight: 70, eligible: true, observer: false } },
      's',
      30,
      true,
    ],
    [
      'an unrelated change while a heavier node already waits (no preempt)',
      {
        members: [member('p', 20), member('q', 12), member('h', 90)],
        principalWeight: 20,
      },
      'q',
      10,
      false,
    ],
  ])('%s → %s', (_what, changes, peerId, previous, expected) => {
    expect(weightChangeMatters(view(changes), peerId, previous)).toBe(expected)
  })
})

describe('refusalOf', () => {
  const claim = (changes: Partial<ClaimToJudge> = {}): ClaimToJudge => ({
    principal: 'p',
    weight: 50,
    kind: 'relay',
    ...changes,
  })
  const context = { selfId: 's', selfEligible: true, misbehaving: false, maxWeight: 100 }
  it.each<
    [string, ClaimToJudge, Member | undefined, Partial<typeof context>, ClaimRefusal | undefined]
  >([
    ['a live eligible member', claim(), member('p', 50), {}, undefined],
    ['an unheard candidate', claim(), undefined, {}, undefined],
    ['a claimed weight above max', claim({ weight: 101 }), member('p', 50), {}, 'weight-above-max'],
    ['a heartbeat weight above max', claim(), member('p', 500), {}, 'weight-above-max'],
    ['an observer', claim(), member('p', 50, { observer: true }), {}, 'observer'],
    ['a dead member, relayed', claim(), member('p', 50, { status: 'dead' }), {}, 'dead'],
    [
      'a dead member, its own claim message',
      claim({ kind: 'claim' }),
      member('p', 50, { status: 'dead' }),
      {},
      undefined,
    ],
    ['an ineligible member', claim(), member('p', 50, { eligible: false }), {}, 'ineligible'],
    [
      'a member in error',
      claim({ kind: 'assertion' }),
      member('p', 50, { activity: 'error' }),
      {},
      'ineligible',
    ],
    ['a misbehaving member', claim(), member('p', 50), { misbehaving: true }, 'misbehaving'],
    ['ourselves, eligible', claim({ principal: 's' }), undefined, {}, undefined],
    [
      'ourselves, not eligible',
      claim({ principal: 's' }),
      undefined,
      { selfEligible: false },
      'ineligible',
    ],
  ])('%s → %s', (_what, incoming, entry, changes, expected) => {
    expect(refusalOf(incoming, { ...context, ...changes, member: entry })).toBe(expected)
  })
})
