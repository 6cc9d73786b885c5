import { InvalidArgumentError } from 'commander'
import { describe, expect, it } from 'vitest'
import { parseIntegerIn } from '../../src/cli/parse.js'

describe('parseIntegerIn', () => {
  it.each([
    ['0', 0, 10, 0],
    ['10', 0, 10, 10],
    ['007', 0, 10, 7],
    ['9007199254740991', 0, Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER],
  ])('%s in %i..%i → %i', (text, min, max, expected) => {
    expect(parseIntegerIn(text, min, max)).toBe(expected)
  })

  it.each([
    ['', 0, 10],
    [' 1', 0, 10],
    ['1.5', 0, 10],
    ['1.0', 0, 10],
    ['-1', 0, 10],
    ['+1', 0, 10],
    ['1e3', 0, 10000],
    ['0x10', 0, 100],
    ['abc', 0, 10],
    ['11', 0, 10],
    ['0', 1, 10],
    ['9007199254740992', 0, Number.MAX_SAFE_INTEGER],
  ])('refuses %j in %i..%i', (text, min, max) => {
    expect(() => parseIntegerIn(text, min, max)).toThrow(InvalidArgumentError)
  })
})
