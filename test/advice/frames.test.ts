/** Inbound frames, pure: one verdict per control frame, never a throw; pulled items sorted. */
import { describe, expect, it } from 'vitest'
import { MAX_PAYLOAD_BYTES } from '../../src/advice/constants.js'
import { isRelayFrame, parseAdviceFrame, splitSyncItems } from '../../src/advice/frames.js'
import type { RelayedRequest } from '../../src/advice/relay.js'
import type { SyncItem } from '../../src/advice/sync.js'
import type { Advice, AdviceResult } from '../../src/advice/types.js'
import { adviceRecord } from '../helpers/advice-records.js'

function advice(over: Partial<Advice> = {}): Advice {
  return adviceRecord({ id: 'a1', origin: 'M1', resolved: ['M1', 'P1'], ...over })
}

function result(over: Partial<AdviceResult> = {}): AdviceResult {
  return { adviceId: 'a1', target: 'M1', status: 'accepted', at: 5, ...over }
}

const relay: RelayedRequest = {
  id: 'r1',
  origin: 'M1',
  request: { type: 'CONFIG', target: ['*'], payload: { stepWindow: 3 }, ttlMs: 1_000 },
}

const json = (value: unknown): Uint8Array => new TextEncoder().encode(JSON.stringify(value))
const text = (value: string): Uint8Array => new TextEncoder().encode(value)

describe('parseAdviceFrame', () => {
  it.each<[string, 'advice' | 'advice-status', string, Uint8Array, unknown]>([
    [
      'an advice from its issuer',
      'advice',
      'P1',
      json(advice()),
      { kind: 'advice', advice: advice() },
    ],
    [
      'a rollback advice from its issuer',
      'advice',
      'P1',
      json(advice({ rollbackOf: 'a0', restore: { 'config:stepWindow': null } })),
      {
        kind: 'advice',
        advice: advice({ rollbackOf: 'a0', restore: { 'config:stepWindow': null } }),
      },
    ],
    [
      'a result from its target',
      'advice-status',
      'M1',
      json(result()),
      { kind: 'result', result: result() },
    ],
    ['a relay from its origin', 'advice', 'M1', json({ relay }), { kind: 'relay', relayed: relay }],
    // Passed on by another node: dropped, not counted.
    ['a relay passed on by another node', 'advice', 'M2', json({ relay }), { kind: 'ignored' }],
  ])('%s', (_, kind, sender, data, verdict) => {
    expect(parseAdviceFrame(kind, sender, data)).toStrictEqual(verdict)
  })

  // Each with what the log line says was wrong.
  const invalid: Array<[string, 'advice' | 'advice-status', string, Uint8Array, RegExp]> = [
    [
      'an advice not sent by its issuer',
      'advice',
      'M1',
      json(advice()),
      /^advice a1 issued by P1, sent by M1$/,
    ],
    [
      'a result not sent by its target',
      'advice-status',
      'P1',
      json(result()),
      /^result of M1 for a1, sent by P1$/,
    ],
    [
      'an advice sent as a status',
      'advice-status',
      'P1',
      json(advice()),
      /^advice result must have required property 'adviceId'$/,
    ],
    [
      'a result sent as an advice',
      'advice',
      'M1',
      json(result()),
      /^advice must have required property 'id'$/,
    ],
    [
      'a relay sent as a status',
      'advice-status',
      'M1',
      json({ relay }),
      /^advice result must have required property/,
    ],
    [
      'an advice missing its version',
      'advice',
      'P1',
      json({ ...advice(), version: undefined }),
      /^advice must have required property 'version'$/,
    ],
    [
      'an advice with an unknown field',
      'advice',
      'P1',
      json({ ...advice(), extra: 1 }),
      /^advice must NOT have additional properties \(extra\)$/,
    ],
    [
      'an advice with a negative term',
      'advice',
      'P1',
      json(advice({ term: -1 })),
      /^advice term must be >= 0$/,
    ],
    [
      'an advice of an unknown type',
      'advice',
      'P1',
      json({ ...advice(), type: 'REBOOT' }),
      /^advice type must be equal to one of the allowed values$/,
    ],
    [
      'a result with an unknown status',
      'advice-status',
      'M1',
      json({ ...result(), status: 'maybe' }),
      /^advice result status must be equal to one of the allowed values$/,
    ],
    [
      'a relay with a numeric rollbackOf',
      'advice',
      'M1',
      json({ relay: { ...relay, rollbackOf: 7 } }),
      /^relay frame without a valid/,
    ],
    [
      'a relay with no request',
      'advice',
      'M1',
      json({ relay: { id: 'r1', origin: 'M1' } }),
      /^relay frame without a valid/,
    ],
    ['not JSON', 'advice', 'P1', text('{"id":'), /JSON/],
    ['not UTF-8', 'advice', 'P1', new Uint8Array([0x7b, 0xff, 0x7d]), /not valid UTF-8/],
    ['empty', 'advice', 'P1', new Uint8Array(), /JSON/],
    ['JSON null', 'advice', 'P1', text('null'), /^advice must be object$/],
    [
      'JSON null as a status',
      'advice-status',
      'P1',
      text('null'),
      /^advice result must be object$/,
    ],
    ['a number', 'advice', 'P1', text('42'), /^advice must be object$/],
    ['a string', 'advice-status', 'P1', text('"advice"'), /^advice result must be object$/],
    ['an array', 'advice', 'P1', json([advice()]), /^advice must be object$/],
    ['relay: null', 'advice', 'M1', text('{"relay":null}'), /^relay frame without a valid/],
    [
      'larger than four payload limits',
      'advice',
      'P1',
      json(advice({ payload: { pad: 'x'.repeat(MAX_PAYLOAD_BYTES * 4) } })),
      /exceeds/,
    ],
  ]
  it.each(invalid)('%s is invalid, not thrown', (_, kind, sender, data, detail) => {
    const frame = parseAdviceFrame(kind, sender, data)
    expect(frame).toStrictEqual({ kind: 'invalid', detail: expect.stringMatching(detail) })
  })

  it('a payload near the payload limit still fits in a frame', () => {
    const big = advice({ payload: { pad: 'x'.repeat(MAX_PAYLOAD_BYTES - 100) } })
    expect(parseAdviceFrame('advice', 'P1', json(big))).toStrictEqual({
      kind: 'advice',
      advice: big,
    })
  })

  it('drops prototype keys instead of carrying them into the advice', () => {
    const data = text(JSON.stringify(advice()).replace('{', '{"__proto__":{"polluted":true},'))
    const frame = parseAdviceFrame('advice', 'P1', data)
    expect(frame).toStrictEqual({ kind: 'advice', advice: advice() })
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined()
  })
})

describe('isRelayFrame', () => {
  it.each<[string, unknown, boolean]>([
    ['a relay', { relay }, true],
    ['a rollback relay', { relay: { ...relay, rollbackOf: 'a0' } }, true],
    ['an id of 128 characters', { relay: { ...relay, id: 'i'.repeat(128) } }, true],
    ['an id of 129 characters', { relay: { ...relay, id: 'i'.repeat(129) } }, false],
    ['a numeric id', { relay: { ...relay, id: 1 } }, false],
    // The stamped advice must pass the record schema: id and origin of 1–128 characters.
    ['an empty id', { relay: { ...relay, id: '' } }, false],
    ['an empty origin', { relay: { ...relay, origin: '' } }, false],
    ['an origin of 129 characters', { relay: { ...relay, origin: 'o'.repeat(129) } }, false],
    ['no origin', { relay: { id: 'r1', request: relay.request } }, false],
    ['a request that is null', { relay: { ...relay, request: null } }, false],
    ['a request that is a string', { relay: { ...relay, request: 'CONFIG' } }, false],
    ['a rollbackOf that is null', { relay: { ...relay, rollbackOf: null } }, false],
    ['relay: null', { relay: null }, false],
    ['relay: a string', { relay: 'r1' }, false],
    ['an advice', advice(), false],
    ['null', null, false],
    ['undefined', undefined, false],
    ['a number', 3, false],
  ])('%s → %s', (_, value, expected) => {
    expect(isRelayFrame(value)).toBe(expected)
  })
})

describe('splitSyncItems', () => {
  it('keeps the valid advice oldest first and the valid results, and counts the rest', () => {
    const late = advice({ id: 'late', issuedAt: 300 })
    const early = advice({ id: 'early', issuedAt: 100 })
    const middle = advice({ id: 'middle', issuedAt: 200 })
    const items = [
      { advice: late },
      { result: result({ adviceId: 'late' }) },
      { advice: { ...early, term: 'one' } },
      { advice: early },
      { result: { ...result(), status: 'maybe' } },
      { advice: middle },
      { result: result({ adviceId: 'early', target: 'M2', status: 'rejected', reason: 'no' }) },
      { something: 'else' },
    ] as unknown as SyncItem[]
    expect(splitSyncItems(items)).toStrictEqual({
      advice: [early, middle, late],
      results: [
        result({ adviceId: 'late' }),
        result({ adviceId: 'early', target: 'M2', status: 'rejected', reason: 'no' }),
      ],
      invalid: 3,
    })
  })

  it('an advice under "result" or a result under "advice" is neither', () => {
    const items = [{ result: advice() }, { advice: result() }] as unknown as SyncItem[]
    expect(splitSyncItems(items)).toStrictEqual({ advice: [], results: [], invalid: 2 })
  })

  it('items that are not objects count as invalid, never throw, and spare the valid ones', () => {
    const valid = advice()
    const items = [null, 5, 'x', [], { advice: valid }] as unknown as SyncItem[]
    expect(splitSyncItems(items)).toStrictEqual({ advice: [valid], results: [], invalid: 4 })
  })

  it('an item with both an advice and a result counts once, as the advice', () => {
    const valid = advice()
    const items = [{ advice: valid, result: result() }] as unknown as SyncItem[]
    expect(splitSyncItems(items)).toStrictEqual({ advice: [valid], results: [], invalid: 0 })
  })

  it('nothing pulled: nothing kept, nothing invalid', () => {
    expect(splitSyncItems([])).toStrictEqual({ advice: [], results: [], invalid: 0 })
  })
})
