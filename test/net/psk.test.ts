import { preSharedKey } from '@libp2p/pnet'
import { describe, expect, it } from 'vitest'
import { generatePskFile, InvalidPskError, parsePskFile } from '../../src/net/index.js'

const HEX = '0123456789abcdef'.repeat(4)
const decoder = new TextDecoder()

describe('generatePskFile', () => {
  it('writes the pnet v1 format with a fresh 32-byte key each time', () => {
    const file = generatePskFile()
    expect(file).toMatch(/^\/key\/swarm\/psk\/1\.0\.0\/\n\/base16\/\n[0-9a-f]{64}\n$/)
    expect(generatePskFile()).not.toBe(file)
  })

  it('round-trips through parsePskFile and is accepted by @libp2p/pnet', () => {
    const file = generatePskFile()
    const parsed = parsePskFile(file)
    expect(decoder.decode(parsed)).toBe(file)
    expect(() => preSharedKey({ psk: parsed })()).not.toThrow()
  })
})

describe('parsePskFile', () => {
  it.each([
    ['LF, trailing newline', `/key/swarm/psk/1.0.0/\n/base16/\n${HEX}\n`],
    ['no trailing newline', `/key/swarm/psk/1.0.0/\n/base16/\n${HEX}`],
    ['CRLF line ends', `/key/swarm/psk/1.0.0/\r\n/base16/\r\n${HEX}\r\n`],
    ['upper-case hex', `/key/swarm/psk/1.0.0/\n/base16/\n${HEX.toUpperCase()}\n`],
    ['trailing blank lines and spaces', `/key/swarm/psk/1.0.0/ \n/base16/\n${HEX}  \n\n\n`],
  ])('accepts %s, returning the canonical file', (_label, text) => {
    expect(decoder.decode(parsePskFile(text))).toBe(`/key/swarm/psk/1.0.0/\n/base16/\n${HEX}\n`)
  })

  it('accepts the file as bytes', () => {
    const bytes = new TextEncoder().encode(`/key/swarm/psk/1.0.0/\n/base16/\n${HEX}\n`)
    expect(decoder.decode(parsePskFile(bytes))).toContain(HEX)
  })

  it.each([
    ['an empty file', '', /has 0 line\(s\); expected 3/],
    ['a missing key line', '/key/swarm/psk/1.0.0/\n/base16/\n', /has 2 line\(s\)/],
    [
      'a wrong header',
      `/key/swarm/psk/2.0.0/\n/base16/\n${HEX}`,
      /line 1 must be '\/key\/swarm\/psk\/1\.0\.0\/', got '\/key\/swarm\/psk\/2\.0\.0\/'/,
    ],
    [
      'base64 encoding',
      `/key/swarm/psk/1.0.0/\n/base64/\n${HEX}`,
      /line 2 must be '\/base16\/'.*got '\/base64\/'/,
    ],
    [
      'a short key',
      `/key/swarm/psk/1.0.0/\n/base16/\n${HEX.slice(2)}`,
      /line 3 must be 64 hexadecimal characters \(32 bytes\), got 62/,
    ],
    ['a long key', `/key/swarm/psk/1.0.0/\n/base16/\n${HEX}00`, /got 66/],
    [
      'a non-hex character',
      `/key/swarm/psk/1.0.0/\n/base16/\n${HEX.slice(0, 10)}g${HEX.slice(11)}`,
      /non-hexadecimal character 'g' at column 11/,
    ],
    [
      'content after the key',
      `/key/swarm/psk/1.0.0/\n/base16/\n${HEX}\n\nextra`,
      /unexpected content on line 5/,
    ],
  ])('refuses %s, saying what is wrong', (_label, text, message) => {
    let caught: unknown
    try {
      parsePskFile(text)
    } catch (err) {
      caught = err
    }
    expect(caught).toBeInstanceOf(InvalidPskError)
    expect(caught).toMatchObject({ name: 'InvalidPskError', code: 'INVALID_PSK' })
    expect((caught as Error).message).toMatch(message)
  })
})
