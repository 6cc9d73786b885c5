import { describe, expect, it } from 'vitest'
import { EncodeError } from '../../src/errors.js'
import {
  ENVELOPE_KINDS,
  FIXED_HEADER_BYTES,
  PROTOCOL_VERSION,
  TAG_BYTES,
  decodeFrame,
  encodeBody,
} from '../../src/protocol/index.js'
import { SENDER, fields, meshGenerator, seal } from './fixtures.js'

describe('envelope codec', () => {
  const generator = meshGenerator()

  it.each(ENVELOPE_KINDS)('round-trips a %s envelope exactly', (kind) => {
    const frame = seal(generator, { kind, seq: Number.MAX_SAFE_INTEGER, timestamp: 2 ** 40 + 7 })
    const decoded = decodeFrame(frame)
    expect(decoded.ok).toBe(true)
    if (!decoded.ok) return
    const { envelope, body, tag } = decoded.frame
    expect(envelope).toMatchObject({
      v: PROTOCOL_VERSION,
      kind,
      senderId: SENDER,
      globalStep: 1000,
      seq: Number.MAX_SAFE_INTEGER,
      timestamp: 2 ** 40 + 7,
      patternValue: generator.value(1000),
    })
    expect(Buffer.from(envelope.data).toString()).toBe('hello mesh')
    expect(body.length + tag.length).toBe(frame.length)
    expect(tag.length).toBe(TAG_BYTES)
  })

  it('refuses to encode what it could not decode', () => {
    const base = { ...fields(), v: PROTOCOL_VERSION, patternValue: 1 }
    expect(() => encodeBody({ ...base, kind: 'bogus' as never })).toThrow(EncodeError)
    expect(() => encodeBody({ ...base, senderId: 'has space' })).toThrow(/senderId/)
    expect(() => encodeBody({ ...base, senderId: 'x'.repeat(129) })).toThrow(/senderId/)
    expect(() => encodeBody({ ...base, globalStep: -1 })).toThrow(/globalStep/)
    expect(() => encodeBody({ ...base, seq: 1.5 })).toThrow(/seq/)
    expect(() => encodeBody({ ...base, patternValue: 2 ** 31 })).toThrow(/patternValue/)
    expect(() => encodeBody({ ...base, data: 'text' as never })).toThrow(/data/)
  })

  it('reports OVERSIZE before reading a frame larger than the limit', () => {
    const frame = seal(generator, { data: Buffer.alloc(2000) })
    const decoded = decodeFrame(frame, 1024)
    expect(decoded).toMatchObject({ ok: false, code: 'OVERSIZE' })
  })

  it.each([
    ['empty', () => new Uint8Array(0)],
    ['truncated', (f: Buffer) => f.subarray(0, f.length - 1)],
    ['extended', (f: Buffer) => Buffer.concat([f, Buffer.from([0])])],
    ['bad version', (f: Buffer) => withByte(f, 0, 9)],
    ['unknown kind', (f: Buffer) => withByte(f, 1, 200)],
    ['zero sender length', (f: Buffer) => withByte(f, 2, 0)],
    ['non-ASCII sender', (f: Buffer) => withByte(f, 3, 0xff)],
    ['step above 2^53', (f: Buffer) => withByte(f, 3 + SENDER.length, 0xff)],
    ['pattern above 31 bits', (f: Buffer) => withByte(f, 3 + SENDER.length + 16, 0x80)],
    ['data length lies', (f: Buffer) => withByte(f, FIXED_HEADER_BYTES + SENDER.length - 1, 0xff)],
  ])('reports MALFORMED for a %s frame', (_name, mutate) => {
    const decoded = decodeFrame(mutate(seal(generator)))
    expect(decoded).toMatchObject({ ok: false, code: 'MALFORMED' })
  })

  it('never lets a payload reach a prototype (binary layout has no keys)', () => {
    const frame = seal(generator, { data: Buffer.from('{"__proto__":{"polluted":true}}') })
    expect(decodeFrame(frame).ok).toBe(true)
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined()
  })
})

function withByte(frame: Buffer, at: number, value: number): Buffer {
  const copy = Buffer.from(frame)
  copy[at] = value
  return copy
}
