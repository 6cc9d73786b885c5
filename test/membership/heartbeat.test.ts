import { describe, expect, it } from 'vitest'
import {
  HEARTBEAT_MAX_BYTES,
  decodeHeartbeat,
  encodeHeartbeat,
  type HeartbeatPayload,
} from '../../src/membership/index.js'

const valid: HeartbeatPayload = {
  status: 'active',
  weight: 30,
  roles: ['member'],
  version: '0.1.0',
  term: 4,
  principal: '12D3KooWGzxzKZYveHXtpG6AsrUJBcWxHBFS2HsEoGTxrMLvKXtf',
  principalWeight: 50,
  termAgeMs: 1200,
  observer: false,
  eligible: true,
  metadata: { nodeId: 'edge-1' },
  keyring: { primary: '311c3d11', ids: ['311c3d11', '0badc0de'] },
}

function bytes(value: unknown): Uint8Array {
  return Buffer.from(JSON.stringify(value))
}

describe('heartbeat codec', () => {
  it('round-trips a heartbeat, with or without metadata and principal', () => {
    expect(decodeHeartbeat(encodeHeartbeat(valid))).toEqual({ ok: true, value: valid })
    const { metadata: _metadata, ...bare } = valid
    const none = { ...bare, principal: null }
    expect(decodeHeartbeat(encodeHeartbeat(none))).toEqual({ ok: true, value: none })
  })

  it('drops fields it does not know (a newer peer), keeping the rest', () => {
    const decoded = decodeHeartbeat(bytes({ ...valid, future: { x: 1 } }))
    expect(decoded).toEqual({ ok: true, value: valid })
  })

  it.each<[string, unknown, RegExp]>([
    ['an unknown status', { ...valid, status: 'sleeping' }, /status/],
    ['a negative weight', { ...valid, weight: -1 }, /weight/],
    ['a fractional term', { ...valid, term: 1.5 }, /term/],
    ['a term beyond 2^53', { ...valid, term: 2 ** 60 }, /term/],
    ['a principal that is not a peer id', { ...valid, principal: '../etc' }, /principal/],
    ['a role with spaces', { ...valid, roles: ['a b'] }, /roles/],
    ['too many roles', { ...valid, roles: Array.from({ length: 9 }, () => 'x') }, /roles/],
    ['a non-string metadata value', { ...valid, metadata: { a: 1 } }, /metadata/],
    [
      'a key id that is not 8 hex digits',
      { ...valid, keyring: { primary: 'KEY', ids: [] } },
      /keyring\/primary/,
    ],
    [
      'more key ids than a keyring holds',
      {
        ...valid,
        keyring: { primary: '311c3d11', ids: Array.from({ length: 9 }, (_, i) => `0000000${i}`) },
      },
      /keyring\/ids/,
    ],
    [
      'a key id twice',
      { ...valid, keyring: { primary: '311c3d11', ids: ['311c3d11', '311c3d11'] } },
      /keyring\/ids/,
    ],
    ['a missing field', { ...valid, eligible: undefined }, /eligible/],
    ['an array', [valid], /heartbeat/],
    ['a number', 42, /heartbeat/],
  ])('refuses %s', (_what, value, detail) => {
    const decoded = decodeHeartbeat(bytes(value))
    expect(decoded.ok).toBe(false)
    if (!decoded.ok) expect(decoded.detail).toMatch(detail)
  })

  it('refuses oversize payloads before parsing, and bytes that are not UTF-8 JSON', () => {
    const big = decodeHeartbeat(new Uint8Array(HEARTBEAT_MAX_BYTES + 1))
    expect(big).toMatchObject({ ok: false, detail: expect.stringMatching(/exceeds/) })
    expect(decodeHeartbeat(Uint8Array.of(0xff, 0xfe))).toMatchObject({ ok: false })
    expect(decodeHeartbeat(Buffer.from('{"status":'))).toMatchObject({ ok: false })
  })

  it('never lets a payload reach a prototype', () => {
    const decoded = decodeHeartbeat(
      Buffer.from(JSON.stringify(valid).replace('{', '{"__proto__":{"polluted":true},')),
    )
    expect(decoded.ok).toBe(true)
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined()
  })
})
