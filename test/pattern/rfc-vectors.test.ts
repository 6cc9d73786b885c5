import { describe, expect, it } from 'vitest'
import { PatternGenerator, formatCode, type PatternAlgorithm } from '../../src/pattern/index.js'

const RFC4226_KEY = Buffer.from('12345678901234567890', 'ascii')

// RFC 4226 Appendix D: counter, truncated "Decimal" value, 6-digit HOTP.
const RFC4226_ROWS: Array<[number, number, string]> = [
  [0, 1284755224, '755224'],
  [1, 1094287082, '287082'],
  [2, 137359152, '359152'],
  [3, 1726969429, '969429'],
  [4, 1640338314, '338314'],
  [5, 868254676, '254676'],
  [6, 1918287922, '287922'],
  [7, 82162583, '162583'],
  [8, 673399871, '399871'],
  [9, 645520489, '520489'],
]

// RFC 6238 Appendix B: time in seconds, 8-digit TOTP, mode. Step = floor(T / 30).
const RFC6238_ROWS: Array<[number, string, PatternAlgorithm]> = [
  [59, '94287082', 'sha1'],
  [59, '46119246', 'sha256'],
  [59, '90693936', 'sha512'],
  [1111111109, '07081804', 'sha1'],
  [1111111109, '68084774', 'sha256'],
  [1111111109, '25091201', 'sha512'],
  [1111111111, '14050471', 'sha1'],
  [1111111111, '67062674', 'sha256'],
  [1111111111, '99943326', 'sha512'],
  [1234567890, '89005924', 'sha1'],
  [1234567890, '91819424', 'sha256'],
  [1234567890, '93441116', 'sha512'],
  [2000000000, '69279037', 'sha1'],
  [2000000000, '90698825', 'sha256'],
  [2000000000, '38618901', 'sha512'],
  [20000000000, '65353130', 'sha1'],
  [20000000000, '77737706', 'sha256'],
  [20000000000, '47863826', 'sha512'],
]

const RFC6238_KEYS: Record<PatternAlgorithm, Buffer> = {
  sha1: Buffer.from('12345678901234567890', 'ascii'),
  sha256: Buffer.from('12345678901234567890123456789012', 'ascii'),
  sha512: Buffer.from('1234567890123456789012345678901234567890123456789012345678901234', 'ascii'),
}

describe('RFC 4226 Appendix D (HOTP, SHA-1, raw key, no phase reset)', () => {
  const generator = new PatternGenerator({
    key: RFC4226_KEY,
    algorithm: 'sha1',
    phaseResetInterval: 0,
  })

  it.each(RFC4226_ROWS)('counter %i → decimal %i, code %s', (counter, decimal, code) => {
    expect(generator.value(counter)).toBe(decimal)
    expect(formatCode(generator.value(counter), 6)).toBe(code)
  })
})

describe('RFC 6238 Appendix B (TOTP, 8 digits)', () => {
  it.each(RFC6238_ROWS)('T=%i → %s (%s)', (seconds, totp, algorithm) => {
    const generator = new PatternGenerator({
      key: RFC6238_KEYS[algorithm],
      algorithm,
      phaseResetInterval: 0,
    })
    expect(formatCode(generator.value(Math.floor(seconds / 30)), 8)).toBe(totp)
  })
})
