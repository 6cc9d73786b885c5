import { describe, expect, it } from 'vitest'
import { CLAIM_MAX_BYTES, decodeRoleClaim, encodeRoleClaim } from '../../src/roles/index.js'

const claim = {
  term: 3,
  principal: '12D3KooWGzxzKZYveHXtpG6AsrUJBcWxHBFS2HsEoGTxrMLvKXtf',
  weight: 40,
}

describe('role-claim codec', () => {
  it('round-trips and drops unknown fields', () => {
    expect(decodeRoleClaim(encodeRoleClaim(claim))).toEqual({ ok: true, value: claim })
    expect(decodeRoleClaim(Buffer.from(JSON.stringify({ ...claim, x: 1 })))).toEqual({
      ok: true,
      value: claim,
    })
  })

  it.each<[string, unknown]>([
    ['term 0', { ...claim, term: 0 }],
    ['a string term', { ...claim, term: '3' }],
    ['no principal', { term: 3, weight: 1 }],
    ['a negative weight', { ...claim, weight: -5 }],
    ['null', null],
  ])('refuses %s', (_what, value) => {
    expect(decodeRoleClaim(Buffer.from(JSON.stringify(value))).ok).toBe(false)
  })

  it('refuses oversize payloads', () => {
    expect(decodeRoleClaim(new Uint8Array(CLAIM_MAX_BYTES + 1))).toMatchObject({ ok: false })
  })
})
