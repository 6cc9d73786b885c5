import { describe, expect, it } from 'vitest'
import { checkFencing, type FencingResult } from '../../src/roles/index.js'

describe('checkFencing', () => {
  const current = { term: 5, principal: 'p' }
  it.each<[number, string, FencingResult['ok'], string | undefined, string]>([
    [5, 'p', true, undefined, 'the principal of the current term'],
    [4, 'p', false, 'STALE_TERM', 'an older term, even from the same peer'],
    [5, 'q', false, 'NOT_PRINCIPAL', 'the current term from another peer'],
    [6, 'q', true, undefined, 'a newer term: a claim we have not heard yet'],
    [5.5, 'p', false, 'STALE_TERM', 'not an integer'],
  ])('term %s from %s → ok %s %s (%s)', (term, issuer, ok, code) => {
    const result = checkFencing(current, term, issuer)
    expect(result.ok).toBe(ok)
    if (!result.ok) expect(result.code).toBe(code)
  })

  it('refuses everything at the current term when there is no principal', () => {
    expect(checkFencing({ term: 2, principal: null }, 2, 'p')).toMatchObject({
      ok: false,
      code: 'NOT_PRINCIPAL',
    })
  })
})
