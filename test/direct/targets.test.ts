import { describe, expect, it } from 'vitest'
import {
  parseTarget,
  rendezvousOwner,
  resolveTarget,
  type TargetContext,
} from '../../src/direct/targets.js'

const PEER = '12D3KooWDpJ7As7BWAwRMfu1VU2WCqNjvq387JEYKDBj4kx6nXTN'

describe('parseTarget', () => {
  it.each([
    ['role:principal', { kind: 'principal' }],
    ['role:member', { kind: 'member' }],
    ['any', { kind: 'any' }],
    ['key:order-17', { kind: 'key', key: 'order-17' }],
    ['key:a:b', { kind: 'key', key: 'a:b' }],
    [PEER, { kind: 'peer', peerId: PEER }],
  ])('%s', (to, expected) => {
    expect(parseTarget(to)).toEqual(expected)
  })

  it.each([
    ['key:', /non-empty key/],
    [`key:${'k'.repeat(257)}`, /longer than 256/],
    ['role:boss', /unknown role "boss"/],
    ['not-a-peer', /is not a peer id, role:principal/],
  ])('refuses %s', (to, message) => {
    expect(() => parseTarget(to)).toThrow(message)
  })
})

describe('rendezvous hashing', () => {
  const members = ['m1', 'm2', 'm3', 'm4', 'm5']
  const keys = Array.from({ length: 1000 }, (_, i) => `k${i}`)

  it('spreads keys over every member, whatever the order of the list', () => {
    const owners = keys.map((key) => rendezvousOwner(key, members)!)
    const reversed = keys.map((key) => rendezvousOwner(key, [...members].reverse())!)
    expect(reversed).toEqual(owners)
    for (const member of members) {
      const share = owners.filter((owner) => owner === member).length
      expect(share).toBeGreaterThan(120)
      expect(share).toBeLessThan(280)
    }
  })

  it('moves only the keys of a member that leaves, and only those of a member that joins', () => {
    const before = keys.map((key) => rendezvousOwner(key, members)!)
    const without = keys.map((key) =>
      rendezvousOwner(
        key,
        members.filter((m) => m !== 'm3'),
      )!,
    )
    keys.forEach((_, i) => {
      if (before[i] !== 'm3') expect(without[i]).toBe(before[i])
      else expect(without[i]).not.toBe('m3')
    })
    const joined = keys.map((key) => rendezvousOwner(key, [...members, 'm6'])!)
    keys.forEach((_, i) => {
      if (joined[i] !== 'm6') expect(joined[i]).toBe(before[i])
    })
    expect(rendezvousOwner('k', [])).toBeUndefined()
  })
})

describe('resolveTarget', () => {
  const ctx = (over: Partial<TargetContext> = {}): TargetContext => ({
    candidates: ['c', 'a', 'b'],
    status: (id) => ({ a: 'alive', b: 'suspect', d: 'dead' })[id],
    principal: 'a',
    turn: 0,
    random: () => 0.99,
    ...over,
  })

  it.each([
    [{ kind: 'peer', peerId: 'a' } as const, ctx(), { peerId: 'a' }],
    [{ kind: 'peer', peerId: 'b' } as const, ctx(), { peerId: 'b' }],
    [{ kind: 'peer', peerId: 'd' } as const, ctx(), { none: 'd is dead' }],
    [{ kind: 'peer', peerId: 'x' } as const, ctx(), { none: 'x is not a known member' }],
    [{ kind: 'principal' } as const, ctx(), { peerId: 'a' }],
    [{ kind: 'principal' } as const, ctx({ principal: null }), { none: 'there is no principal' }],
    [{ kind: 'member' } as const, ctx({ turn: 0 }), { peerId: 'a' }],
    [{ kind: 'member' } as const, ctx({ turn: 1 }), { peerId: 'b' }],
    [{ kind: 'member' } as const, ctx({ turn: 5 }), { peerId: 'c' }],
    [{ kind: 'any' } as const, ctx(), { peerId: 'c' }],
    [{ kind: 'any' } as const, ctx({ candidates: [] }), { none: 'no alive member' }],
    [{ kind: 'key', key: 'k' } as const, ctx({ candidates: [] }), { none: 'no alive member' }],
  ])('%o', (target, context, expected) => {
    expect(resolveTarget(target, context)).toEqual(expected)
  })
})
