import { describe, expect, it } from 'vitest'
import { decodeBatch, encodeBatch } from '../../src/protocol/index.js'

describe('batches', () => {
  const frames = [Buffer.from('one'), Buffer.alloc(0), Buffer.alloc(1000, 7)]

  it('round-trip frames in order', () => {
    const decoded = decodeBatch(encodeBatch(frames), 16, 1 << 20)
    expect(decoded.ok && decoded.frames.map((f) => Buffer.from(f))).toEqual(frames)
  })

  it.each([
    ['not a batch', Buffer.from('hello'), 'MALFORMED'],
    ['zero frames', Buffer.from([0x50, 1, 0, 0]), 'MALFORMED'],
    ['truncated', encodeBatch(frames).subarray(0, 20), 'MALFORMED'],
    ['trailing bytes', Buffer.concat([encodeBatch(frames), Buffer.from([1])]), 'MALFORMED'],
    [
      'too many frames',
      encodeBatch(Array.from({ length: 20 }, () => Buffer.from('x'))),
      'OVERSIZE',
    ],
    ['too many bytes', Buffer.concat([encodeBatch(frames), Buffer.alloc(1 << 20)]), 'OVERSIZE'],
  ])('refuse %s with %s', (_name, data, code) => {
    expect(decodeBatch(data, 16, 1 << 20)).toMatchObject({ ok: false, code })
  })

  it('refuse to encode an empty batch', () => {
    expect(() => encodeBatch([])).toThrow(/1\.\.4096/)
  })
})
