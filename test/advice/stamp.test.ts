/** The principal's stamp, pure: relayed requests resolved, rollbacks restored, advice stamped. */
import { describe, expect, it } from 'vitest'
import { MAX_TTL_MS, MIN_TTL_MS } from '../../src/advice/constants.js'
import { isAdvice } from '../../src/advice/record-schema.js'
import type { RelayedRequest } from '../../src/advice/relay.js'
import {
  ROLLBACK_TTL_MS,
  resolveRelayed,
  restoreOf,
  rollbackRequest,
  stampAdvice,
  targetMembers,
  type StampContext,
} from '../../src/advice/stamp.js'
import type { TargetMember } from '../../src/advice/targets.js'
import type { Advice, AdviceRequest, VersionVector } from '../../src/advice/types.js'
import { compareVectors, winnerOf } from '../../src/advice/versions.js'
import type { Member } from '../../src/membership/index.js'
import { adviceRecord } from '../helpers/advice-records.js'

const K = 'config:stepWindow'

const advice = adviceRecord

const heldOf = (...all: Advice[]): Map<string, Advice> => new Map(all.map((a) => [a.id, a]))

const request: AdviceRequest = {
  type: 'CONFIG',
  target: ['*'],
  payload: { stepWindow: 5, heartbeatInterval: 2_000 },
  ttlMs: 30_000,
}

describe('resolveRelayed: a request', () => {
  it('is validated and gives the values it writes, with nothing to restore', () => {
    const asked = resolveRelayed({ id: 'r1', origin: 'O', request }, new Map())
    expect(asked.request).toStrictEqual(request)
    // heartbeatInterval is written under the key of heartbeatIntervalMs.
    expect(asked.values).toStrictEqual({
      'config:stepWindow': 5,
      'config:heartbeatIntervalMs': 2_000,
    })
    expect(asked.restore).toBeUndefined()
  })

  it.each<[string, unknown]>([
    ['no ttl', { type: 'CONFIG', target: ['*'], payload: { stepWindow: 5 } }],
    ['a ttl below the minimum', { ...request, ttlMs: MIN_TTL_MS - 1 }],
    ['a ttl above the maximum', { ...request, ttlMs: MAX_TTL_MS + 1 }],
    ['an unknown type', { ...request, type: 'REBOOT' }],
    ['no target', { ...request, target: [] }],
    ['an unknown role selector', { ...request, target: ['role:boss'] }],
    ['a key fixed while running', { ...request, payload: { listen: ['/ip4/0.0.0.0/tcp/1'] } }],
    ['an UPDATE without value', { ...request, type: 'UPDATE', payload: { key: 'k' } }],
    ['a request that is not an object', null],
  ])('with %s is refused (InvalidAdviceError)', (_, bad) => {
    const relayed = { id: 'r1', origin: 'O', request: bad } as RelayedRequest
    expect(() => resolveRelayed(relayed, new Map())).toThrow(
      expect.objectContaining({ name: 'InvalidAdviceError', code: 'INVALID_ADVICE' }),
    )
  })
})

describe('resolveRelayed: a rollback', () => {
  const v1 = advice({ id: 'v1', payload: { stepWindow: 3 }, version: { [K]: { P1: 1 } } })
  const v2 = advice({
    id: 'v2',
    target: ['role:member', 'B'],
    payload: { stepWindow: 7 },
    version: { [K]: { P1: 2 } },
  })
  const held = heldOf(v1, v2)
  const rollback = (ttlMs: unknown): RelayedRequest =>
    ({ id: 'rb', origin: 'O', request: { ttlMs }, rollbackOf: 'v2' }) as RelayedRequest

  it('of an advice not held here is refused (AdviceNotFoundError)', () => {
    expect(() => resolveRelayed({ ...rollback(5_000), rollbackOf: 'nope' }, held)).toThrow(
      expect.objectContaining({ name: 'AdviceNotFoundError', code: 'ADVICE_NOT_FOUND' }),
    )
  })

  it("has the original's type and targets, no payload, and restores what it replaced", () => {
    const asked = resolveRelayed(rollback(5_000), held)
    expect(asked.request).toStrictEqual({
      type: 'CONFIG',
      target: ['role:member', 'B'],
      payload: {},
      ttlMs: 5_000,
    })
    expect(asked.restore).toStrictEqual({ [K]: 3 })
    expect(asked.values).toStrictEqual({ [K]: 3 })
  })

  // Relayed from another node, the ttl is not validated: it is clamped, or the default.
  it.each<[string, unknown, number]>([
    ['in range: kept', 5_000, 5_000],
    ['the minimum: kept', MIN_TTL_MS, MIN_TTL_MS],
    ['the maximum: kept', MAX_TTL_MS, MAX_TTL_MS],
    ['below the minimum: raised to it', 1, MIN_TTL_MS],
    ['negative: raised to the minimum', -5_000, MIN_TTL_MS],
    ['above the maximum: lowered to it', MAX_TTL_MS + 1, MAX_TTL_MS],
    ['missing: the default', undefined, ROLLBACK_TTL_MS],
    ['fractional: the default', 1_500.5, ROLLBACK_TTL_MS],
    ['not a number: the default', 'soon', ROLLBACK_TTL_MS],
    ['NaN: the default', Number.NaN, ROLLBACK_TTL_MS],
    ['beyond safe integers: the default', 1e20, ROLLBACK_TTL_MS],
    ['infinite: the default', Number.POSITIVE_INFINITY, ROLLBACK_TTL_MS],
    ['null: the default (not 0, clamped up)', null, ROLLBACK_TTL_MS],
    ['empty text: the default', '', ROLLBACK_TTL_MS],
    ['a boolean: the default', true, ROLLBACK_TTL_MS],
    ['an array: the default', [], ROLLBACK_TTL_MS],
    ['numeric text: the default (a number is required)', '5000', ROLLBACK_TTL_MS],
  ])('ttl %s', (_, ttl, expected) => {
    expect(resolveRelayed(rollback(ttl), held).request.ttlMs).toBe(expected)
  })

  it('with no request at all takes the default ttl', () => {
    const relayed = { id: 'rb', origin: 'O', rollbackOf: 'v2' } as RelayedRequest
    expect(resolveRelayed(relayed, held).request.ttlMs).toBe(ROLLBACK_TTL_MS)
  })
})

describe('rollbackRequest', () => {
  it('asks for the same type and targets with no payload of its own', () => {
    const original = advice({
      type: 'ROLE',
      target: ['A', 'role:observer'],
      payload: { weight: 2 },
    })
    expect(rollbackRequest(original, 1_234)).toStrictEqual({
      type: 'ROLE',
      target: ['A', 'role:observer'],
      payload: {},
      ttlMs: 1_234,
    })
  })
})

describe('restoreOf', () => {
  const W = 'role:weight'
  const E = 'role:eligible'

  it.each<[string, Advice[], Advice, Record<string, unknown>]>([
    [
      'nothing before it: null (the node’s own value)',
      [],
      advice({ id: 'o', version: { [K]: { P1: 1 } } }),
      { [K]: null },
    ],
    [
      'the value it replaced',
      [advice({ id: 'x', payload: { stepWindow: 2 }, version: { [K]: { P1: 1 } } })],
      advice({ id: 'o', payload: { stepWindow: 9 }, version: { [K]: { P1: 2 } } }),
      { [K]: 2 },
    ],
    [
      'of a chain, the latest before it',
      [
        advice({ id: 'x', payload: { stepWindow: 2 }, version: { [K]: { P1: 1 } } }),
        advice({ id: 'y', payload: { stepWindow: 4 }, version: { [K]: { P1: 2 } } }),
      ],
      advice({ id: 'o', payload: { stepWindow: 9 }, version: { [K]: { P1: 3 } } }),
      { [K]: 4 },
    ],
    [
      'not what came after it, nor what it never saw',
      [
        advice({ id: 'x', payload: { stepWindow: 2 }, version: { [K]: { P1: 1 } } }),
        advice({ id: 'later', payload: { stepWindow: 5 }, version: { [K]: { P1: 3 } } }),
        advice({
          id: 'apart',
          issuer: 'P2',
          payload: { stepWindow: 6 },
          version: { [K]: { P2: 1 } },
        }),
      ],
      advice({ id: 'o', payload: { stepWindow: 9 }, version: { [K]: { P1: 2 } } }),
      { [K]: 2 },
    ],
    [
      'a rollback before it: what that one restored',
      [
        advice({ id: 'x', payload: { stepWindow: 2 }, version: { [K]: { P1: 1 } } }),
        advice({
          id: 'rb',
          payload: {},
          rollbackOf: 'x',
          restore: { [K]: 1 },
          version: { [K]: { P1: 2 } },
        }),
      ],
      advice({ id: 'o', payload: { stepWindow: 9 }, version: { [K]: { P1: 3 } } }),
      { [K]: 1 },
    ],
    [
      'a rollback before it that restored the node’s own: null',
      [
        advice({
          id: 'rb',
          payload: {},
          rollbackOf: 'x',
          restore: { [K]: null },
          version: { [K]: { P1: 1 } },
        }),
      ],
      advice({ id: 'o', payload: { stepWindow: 9 }, version: { [K]: { P1: 2 } } }),
      { [K]: null },
    ],
    [
      'each key on its own',
      [
        advice({
          id: 'w',
          type: 'ROLE',
          payload: { weight: 3 },
          keys: [W],
          version: { [W]: { P1: 1 } },
        }),
      ],
      advice({
        id: 'o',
        type: 'ROLE',
        payload: { weight: 8, eligible: false },
        keys: [W, E],
        version: { [W]: { P1: 2 }, [E]: { P1: 1 } },
      }),
      { [W]: 3, [E]: null },
    ],
  ])('%s', (_, before, original, restored) => {
    expect(restoreOf(original, heldOf(...before, original))).toStrictEqual(restored)
  })
})

describe('stampAdvice', () => {
  const members: TargetMember[] = [
    { peerId: 'P2', roles: ['principal'], alive: true },
    { peerId: 'M2', roles: ['member'], alive: true },
    { peerId: 'M1', roles: ['member'], alive: true },
    { peerId: 'Dead', roles: ['member'], alive: false },
    { peerId: 'O1', roles: ['observer'], alive: true },
  ]
  const known = new Map<string, VersionVector>([[K, { P1: 3, P2: 1 }]])
  const ctx: StampContext = { self: 'P2', term: 6, step: 420, now: 1_000_000, known, members }
  const relayed: RelayedRequest = {
    id: 'r1',
    origin: 'M1',
    request: {
      type: 'CONFIG',
      target: ['role:member', 'Far'],
      payload: { stepWindow: 5, logLevel: 'debug' },
      ttlMs: 30_000,
    },
  }

  it("is stamped with this principal, its term and step, now, and the origin's id", () => {
    const stamped = stampAdvice(relayed, resolveRelayed(relayed, new Map()), ctx)
    expect(stamped).toMatchObject({
      id: 'r1',
      type: 'CONFIG',
      target: ['role:member', 'Far'],
      payload: { stepWindow: 5, logLevel: 'debug' },
      issuer: 'P2',
      origin: 'M1',
      term: 6,
      step: 420,
      issuedAt: 1_000_000,
      expiry: 1_030_000,
      keys: [K, 'config:logLevel'],
    })
    expect(stamped).not.toHaveProperty('rollbackOf')
    expect(stamped).not.toHaveProperty('restore')
    // Peers check what they receive against the record schema: a stamped advice passes it.
    expect(isAdvice(JSON.parse(JSON.stringify(stamped)))).toBe(true)
  })

  it('resolves role selectors against the live members now; named peers are kept as named', () => {
    const stamped = stampAdvice(relayed, resolveRelayed(relayed, new Map()), ctx)
    expect(stamped.resolved).toStrictEqual(['Far', 'M1', 'M2'])
  })

  it('versions every key above everything known here, so it wins over all held advice', () => {
    const stamped = stampAdvice(relayed, resolveRelayed(relayed, new Map()), ctx)
    expect(stamped.version).toStrictEqual({
      [K]: { P1: 3, P2: 2 },
      'config:logLevel': { P2: 1 },
    })
    for (const key of stamped.keys)
      expect(compareVectors(stamped.version[key]!, known.get(key) ?? {})).toBe('after')
    const heldBefore = [
      advice({ id: 'x', issuer: 'P1', term: 9, step: 999, version: { [K]: { P1: 3 } } }),
      advice({ id: 'y', issuer: 'P2', term: 5, version: { [K]: { P1: 2, P2: 1 } } }),
    ]
    expect(winnerOf(K, [...heldBefore, stamped])!.id).toBe('r1')
  })

  it('a rollback carries what it undoes and the values it restores', () => {
    const original = advice({ id: 'v1', payload: { stepWindow: 9 }, version: { [K]: { P1: 3 } } })
    const rollback: RelayedRequest = {
      id: 'rb',
      origin: 'M1',
      request: { ttlMs: 5_000 } as AdviceRequest,
      rollbackOf: 'v1',
    }
    const stamped = stampAdvice(rollback, resolveRelayed(rollback, heldOf(original)), ctx)
    expect(stamped).toMatchObject({
      id: 'rb',
      rollbackOf: 'v1',
      restore: { [K]: null },
      payload: {},
      keys: [K],
      target: ['*'],
      expiry: 1_005_000,
    })
    expect(stamped.resolved).toStrictEqual(['M1', 'M2', 'O1', 'P2'])
    expect(isAdvice(JSON.parse(JSON.stringify(stamped)))).toBe(true)
  })
})

describe('targetMembers', () => {
  const member = (id: string, status: Member['status'], roles: string[]): Member =>
    ({ id, status, roles }) as Member

  it('puts this node first, then the others, alive unless dead', () => {
    const self: TargetMember = { peerId: 'S', roles: ['principal'], alive: true }
    const others = [
      member('A', 'alive', ['member']),
      member('B', 'suspect', ['member']),
      member('C', 'dead', ['observer']),
    ]
    expect(targetMembers(self, others)).toStrictEqual([
      self,
      { peerId: 'A', roles: ['member'], alive: true },
      { peerId: 'B', roles: ['member'], alive: true },
      { peerId: 'C', roles: ['observer'], alive: false },
    ])
  })

  it("this node's own entry wins over what the table says of it", () => {
    const self: TargetMember = { peerId: 'S', roles: ['principal'], alive: true }
    const others = [member('S', 'dead', ['member']), member('A', 'alive', ['member'])]
    expect(targetMembers(self, others)).toStrictEqual([
      self,
      { peerId: 'A', roles: ['member'], alive: true },
    ])
  })
})
