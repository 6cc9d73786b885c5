/** The pure rules of advice: version vectors and winners, targets, aggregate, validation, digest. */
import { describe, expect, it } from 'vitest'
import {
  DigestIndex,
  checkPayload,
  compareVectors,
  itemHash,
  parseDuration,
  resolveTargets,
  validateAdviceRequest,
  viewOf,
  winnerOf,
} from '../../src/advice/index.js'
import { adviceRecord } from '../helpers/advice-records.js'

const advice = adviceRecord
const K = 'config:stepWindow'

describe('version vectors', () => {
  it.each([
    [{ a: 1 }, { a: 1 }, 'equal'],
    [{ a: 2 }, { a: 1 }, 'after'],
    [{ a: 1 }, { a: 1, b: 1 }, 'before'],
    [{ a: 2 }, { a: 1, b: 1 }, 'concurrent'],
    [{}, { b: 1 }, 'before'],
  ] as const)('%j vs %j is %s', (a, b, order) => {
    expect(compareVectors(a, b)).toBe(order)
  })

  it('a dominating version wins whatever its term; concurrent ones by term, step, smaller issuer', () => {
    const old = advice({ id: 'old', term: 9, version: { [K]: { P1: 1 } } })
    const newer = advice({ id: 'new', term: 1, version: { [K]: { P1: 2 } } })
    expect(winnerOf(K, [old, newer])!.id).toBe('new')
    const x = advice({ id: 'x', issuer: 'P1', term: 2, version: { [K]: { P1: 2 } } })
    const y = advice({ id: 'y', issuer: 'P2', term: 3, version: { [K]: { P1: 1, P2: 1 } } })
    expect(winnerOf(K, [x, y])!.id).toBe('y')
    expect(winnerOf(K, [y, x])!.id).toBe('y')
    const z = advice({ id: 'z', issuer: 'P0', term: 3, step: 100, version: { [K]: { P0: 1 } } })
    expect(winnerOf(K, [x, y, z])!.id).toBe('z')
    const later = advice({ id: 'w', issuer: 'P9', term: 3, step: 101, version: { [K]: { P9: 1 } } })
    expect(winnerOf(K, [later, z, y, x])!.id).toBe('w')
  })

  it('the winner does not depend on the order the advice arrived in', () => {
    const set = [
      advice({ id: '1', issuer: 'B', term: 2, version: { [K]: { A: 1, B: 1 } } }),
      advice({ id: '2', issuer: 'A', term: 1, version: { [K]: { A: 1 } } }),
      advice({ id: '3', issuer: 'C', term: 2, step: 90, version: { [K]: { C: 1 } } }),
      advice({ id: '4', issuer: 'A', term: 1, version: { [K]: { A: 2 } } }),
    ]
    const winners = new Set(
      [0, 1, 2, 3].map((r) => winnerOf(K, [...set.slice(r), ...set.slice(0, r)].reverse())!.id),
    )
    expect(winners).toEqual(new Set(['1']))
  })
})

describe('targets and aggregate', () => {
  const members = [
    { peerId: 'P', roles: ['principal'], alive: true },
    { peerId: 'M', roles: ['member'], alive: true },
    { peerId: 'D', roles: ['member'], alive: false },
  ]
  it('resolves *, role selectors and peer ids among alive members', () => {
    expect(resolveTargets(['*'], members)).toEqual(['M', 'P'])
    expect(resolveTargets(['role:member'], members)).toEqual(['M'])
    expect(resolveTargets(['role:principal', 'X'], members)).toEqual(['P', 'X'])
  })

  it('is pending until every target answered, rejected if one refused, pending ones expire', () => {
    const a = advice({ resolved: ['A', 'B'], expiry: 1000 })
    const results = new Map([
      ['A', { adviceId: 'a', target: 'A', status: 'accepted' as const, at: 1 }],
    ])
    expect(viewOf(a, results, 500).status).toBe('pending')
    const late = viewOf(a, results, 1001)
    expect(late.status).toBe('rejected')
    expect(late.results).toEqual([
      { target: 'A', status: 'accepted', at: 1 },
      { target: 'B', status: 'rejected', reason: 'expired' },
    ])
    results.set('B', { adviceId: 'a', target: 'B', status: 'accepted', at: 2 })
    expect(viewOf(a, results, 500)).toMatchObject({
      status: 'accepted',
      counts: { accepted: 2, rejected: 0, pending: 0 },
    })
  })
})

describe('request validation', () => {
  const ok = { type: 'CONFIG', target: ['*'], payload: { heartbeatIntervalMs: 500 }, ttlMs: 60_000 }
  it('accepts live config keys, ROLE and UPDATE payloads', () => {
    expect(validateAdviceRequest(ok)).toEqual(ok)
    expect(() => checkPayload('ROLE', { weight: 40 })).not.toThrow()
    expect(() => checkPayload('ROLE', { eligible: false })).not.toThrow()
    expect(() => checkPayload('UPDATE', { key: 'x', value: { any: 1 } })).not.toThrow()
  })

  it.each([
    [{ ...ok, payload: { nope: 1 } }, /unknown key "nope"/],
    [{ ...ok, payload: { stepWindow: -1 } }, /stepWindow must be >= 0/],
    [
      { ...ok, payload: { listen: ['/ip4/0.0.0.0/tcp/1'] } },
      /"listen" cannot be changed while running/,
    ],
    [{ ...ok, payload: {} }, /no config keys/],
    [{ ...ok, type: 'NOPE' }, /type: must be equal to one of the allowed values/],
    [{ ...ok, target: [] }, /target: must NOT have fewer than 1 items/],
    [{ ...ok, target: ['role:king'] }, /unknown role selector/],
    [{ ...ok, ttlMs: 5 }, /ttlMs: must be >= 100/],
    [{ ...ok, extra: 1 }, /extra: is not a known field/],
    [{ ...ok, type: 'ROLE', payload: { weight: 'heavy' } }, /weight must be a finite number/],
    [{ ...ok, type: 'UPDATE', payload: { value: 1 } }, /payload.key must be a string/],
  ])('refuses %j', (request, message) => {
    expect(() => validateAdviceRequest(request)).toThrow(message)
  })

  it.each([
    ['60s', 60_000],
    ['500ms', 500],
    ['2m', 120_000],
    ['1500', 1500],
  ])('parses the duration %s', (text, ms) => {
    expect(parseDuration(text)).toBe(ms)
  })
})

describe('digest trie', () => {
  it('finds the differing items by expanding only differing buckets', () => {
    const keys = Array.from({ length: 1000 }, (_, i) => itemHash(`a:${i}`))
    const full = new DigestIndex(keys)
    const missing = new DigestIndex(keys.filter((_, i) => i % 250 !== 0))
    expect(full.bucket('').h).not.toBe(missing.bucket('').h)
    const differing = full.children('').filter((c) => missing.bucket(c.p).h !== c.h)
    expect(differing.length).toBeLessThanOrEqual(4)
    expect(full.under('').length).toBe(1000)
    expect(new DigestIndex([...keys].reverse()).bucket('').h).toBe(full.bucket('').h)
  })
})
