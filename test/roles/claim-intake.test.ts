/** Claim intake, pure: reading claims from messages and heartbeats, and the verdict on each. */
import { describe, expect, it } from 'vitest'
import type { HeartbeatPayload, Member, MemberHeartbeatDetail } from '../../src/membership/index.js'
import { encodeRoleClaim } from '../../src/roles/claim-codec.js'
import {
  claimFromHeartbeat,
  heldClaimOf,
  judgeClaim,
  readClaimMessage,
  refusalCountsTerm,
  type ClaimJudgement,
} from '../../src/roles/claim-intake.js'
import type { IncomingClaim } from '../../src/roles/claim-types.js'
import type { Claim } from '../../src/roles/election.js'
import type { ClaimRefusal } from '../../src/roles/events.js'

const bytes = (text: string): Uint8Array => new TextEncoder().encode(text)

describe('readClaimMessage', () => {
  it('a valid claim from its own principal is read as a claim arriving now', () => {
    const data = encodeRoleClaim({ term: 7, principal: 'Alice', weight: 3 })
    expect(readClaimMessage('Alice', data, 5_000)).toStrictEqual({
      ok: true,
      claim: {
        term: 7,
        principal: 'Alice',
        weight: 3,
        issuedAt: 5_000,
        from: 'Alice',
        kind: 'claim',
        at: 5_000,
      },
    })
  })

  it('a claim made for another node is refused as not-sender, keeping what it claimed', () => {
    const data = encodeRoleClaim({ term: 7, principal: 'Alice', weight: 3 })
    expect(readClaimMessage('Mallory', data, 5_000)).toStrictEqual({
      ok: false,
      reason: 'not-sender',
      claim: { from: 'Mallory', term: 7, principal: 'Alice', weight: 3 },
    })
  })

  it.each<[string, Uint8Array, RegExp]>([
    ['not JSON', bytes('{term: 1'), /not JSON/],
    ['not UTF-8', new Uint8Array([0xff, 0xfe, 0x7b]), /UTF-8/],
    ['term 0', bytes('{"term":0,"principal":"Alice","weight":1}'), /term/],
    ['a fractional term', bytes('{"term":1.5,"principal":"Alice","weight":1}'), /term/],
    ['a negative weight', bytes('{"term":1,"principal":"Alice","weight":-1}'), /weight/],
    [
      'a principal that is no peer id',
      bytes('{"term":1,"principal":"a b","weight":1}'),
      /principal/,
    ],
    ['no principal', bytes('{"term":1,"weight":1}'), /principal/],
    ['a JSON array', bytes('[1,2]'), /role claim/],
    ['JSON null', bytes('null'), /role claim/],
    ['too large', bytes(`{"pad":"${'x'.repeat(2_000)}"}`), /exceeds/],
  ])('%s: refused as invalid with a detail naming the problem', (_, data, detail) => {
    const message = readClaimMessage('Alice', data, 5_000)
    expect(message.ok).toBe(false)
    if (message.ok) return
    expect(message.reason).toBe('invalid')
    expect(message.detail).toMatch(detail)
    // Nothing of an unreadable claim is trusted: it names its sender only.
    expect(message.claim).toStrictEqual({ from: 'Alice', principal: null, term: 0, weight: 0 })
  })
})

function heartbeatEvent(
  peerId: string,
  over: Partial<HeartbeatPayload>,
  receivedAt = 10_000,
): MemberHeartbeatDetail {
  const heartbeat: HeartbeatPayload = {
    status: 'active',
    weight: 99,
    roles: ['member'],
    version: '1',
    term: 4,
    principal: 'Alice',
    principalWeight: 5,
    termAgeMs: 2_500,
    observer: false,
    eligible: true,
    ...over,
  }
  const member = { id: peerId, status: 'alive' } as Member
  return {
    peerId,
    heartbeat,
    step: 1,
    member,
    receivedAt,
    sentAt: receivedAt,
    electionChanged: false,
  }
}

describe('claimFromHeartbeat', () => {
  it('a heartbeat naming no principal carries no claim', () => {
    expect(claimFromHeartbeat(heartbeatEvent('Bob', { principal: null }))).toBeUndefined()
  })

  it.each<[string, string, IncomingClaim['kind']]>([
    ["the principal's own heartbeat is an assertion", 'Alice', 'assertion'],
    ["another member's heartbeat relays the claim", 'Bob', 'relay'],
  ])('%s', (_, peerId, kind) => {
    expect(claimFromHeartbeat(heartbeatEvent(peerId, {}, 10_000))).toStrictEqual({
      term: 4,
      principal: 'Alice',
      // The weight the claim stated, not the sender's own weight (99).
      weight: 5,
      // Dated by the age the sender states, on our clock.
      issuedAt: 7_500,
      from: peerId,
      kind,
      at: 10_000,
    })
  })
})

describe('judgeClaim', () => {
  const held: Claim = { term: 5, principal: 'Bob', weight: 10 }

  it.each<[string, Claim, Claim, ClaimJudgement['verdict']]>([
    ['an older term, even heavier', { term: 4, principal: 'Zed', weight: 1e6 }, held, 'stale'],
    [
      'an older term against no principal',
      { term: 4, principal: 'Zed', weight: 1 },
      { term: 5, principal: null, weight: 0 },
      'stale',
    ],
    ['the claim we hold', { ...held }, held, 'same'],
    [
      'no principal at the term we hold with none',
      { term: 5, principal: null, weight: 0 },
      { term: 5, principal: null, weight: 0 },
      'same',
    ],
    ['same principal, lower weight', { term: 5, principal: 'Bob', weight: 9 }, held, 'worse'],
    ['lighter at our term', { term: 5, principal: 'Amy', weight: 9 }, held, 'worse'],
    ['equal weight, larger id', { term: 5, principal: 'Carl', weight: 10 }, held, 'worse'],
    ['no principal at our term', { term: 5, principal: null, weight: 0 }, held, 'worse'],
    ['a higher term, however light', { term: 6, principal: 'Amy', weight: 0 }, held, 'adopt'],
    ['heavier at our term', { term: 5, principal: 'Zed', weight: 11 }, held, 'adopt'],
    ['equal weight, smaller id', { term: 5, principal: 'Amy', weight: 10 }, held, 'adopt'],
    ['same principal, higher weight', { term: 5, principal: 'Bob', weight: 11 }, held, 'adopt'],
    [
      'any principal at a term we hold with none',
      { term: 5, principal: 'Amy', weight: 0 },
      { term: 5, principal: null, weight: 0 },
      'adopt',
    ],
  ])('%s: %s', (_, incoming, current, verdict) => {
    let asked = 0
    const judged = judgeClaim(incoming, current, () => {
      asked++
      return undefined
    })
    expect(judged).toStrictEqual({ verdict })
    // The member table is read only for a better claim.
    expect(asked).toBe(verdict === 'adopt' ? 1 : 0)
  })

  it.each<ClaimRefusal>(['dead', 'ineligible', 'misbehaving', 'observer', 'weight-above-max'])(
    'a better claim whose candidate is %s is refused with that reason',
    (refusal) => {
      const better = { term: 6, principal: 'Amy', weight: 1 }
      expect(judgeClaim(better, held, () => refusal)).toStrictEqual({ verdict: 'refused', refusal })
    },
  )

  it('a refusal does not turn a stale or worse claim into a refused one', () => {
    expect(judgeClaim({ term: 4, principal: 'Amy', weight: 99 }, held, () => 'dead')).toStrictEqual(
      {
        verdict: 'stale',
      },
    )
    expect(judgeClaim({ term: 5, principal: 'Amy', weight: 1 }, held, () => 'dead')).toStrictEqual({
      verdict: 'worse',
    })
  })
})

describe('refusalCountsTerm', () => {
  it.each<[ClaimRefusal, boolean]>([
    ['dead', true],
    ['ineligible', true],
    ['misbehaving', true],
    ['not-sender', true],
    ['invalid', true],
    // An absurd claim must not inflate our next term.
    ['weight-above-max', false],
    ['observer', false],
  ])('%s → %s', (refusal, counts) => {
    expect(refusalCountsTerm(refusal)).toBe(counts)
  })
})

describe('heldClaimOf', () => {
  it('holds the claim as issued, followed from its arrival, without where it came from', () => {
    const incoming: IncomingClaim = {
      term: 9,
      principal: 'Alice',
      weight: 4,
      issuedAt: 1_000,
      from: 'Bob',
      kind: 'relay',
      at: 3_000,
    }
    expect(heldClaimOf(incoming)).toStrictEqual({
      term: 9,
      principal: 'Alice',
      weight: 4,
      issuedAt: 1_000,
      since: 3_000,
    })
  })
})
