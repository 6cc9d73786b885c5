import { describe, expect, it } from 'vitest'
import {
  decodeAnswer,
  decodeRequest,
  encodeError,
  encodeFrames,
  encodeHeads,
  encodeRequest,
  type RepairRequest,
} from '../../src/delivery/index.js'

const json = (value: unknown) => Buffer.from(JSON.stringify(value))

describe('repair requests', () => {
  it('decodes heads and frames requests', () => {
    expect(decodeRequest(encodeRequest({ v: 1, op: 'heads' }))).toEqual({
      ok: true,
      value: { v: 1, op: 'heads' },
    })
    const frames: RepairRequest = {
      v: 1,
      op: 'frames',
      sender: 'QmA',
      ranges: [
        [1, 2],
        [5, 9],
      ],
    }
    expect(decodeRequest(encodeRequest(frames))).toEqual({ ok: true, value: frames })
  })

  it.each([
    ['not JSON', Buffer.from('{'), 'MALFORMED', 'request is not JSON'],
    ['an array', json([]), 'MALFORMED', 'request must be a JSON object'],
    ['version 2', json({ v: 2, op: 'heads' }), 'MALFORMED', 'request version must be 1, got 2'],
    ['unknown op', json({ v: 1, op: 'all' }), 'MALFORMED', 'op must be "heads" or "frames"'],
    [
      'bad sender',
      json({ v: 1, op: 'frames', sender: 'a b', ranges: [] }),
      'MALFORMED',
      /sender must be a peer id/,
    ],
    [
      'lo > hi',
      json({ v: 1, op: 'frames', sender: 'a', ranges: [[5, 1]] }),
      'MALFORMED',
      /range 0 must be \[lo, hi\]/,
    ],
    [
      'a float',
      json({ v: 1, op: 'frames', sender: 'a', ranges: [[1.5, 2]] }),
      'MALFORMED',
      /integers/,
    ],
    [
      'beyond u53',
      json({ v: 1, op: 'frames', sender: 'a', ranges: [[0, 2 ** 60]] }),
      'MALFORMED',
      /2\^53-1/,
    ],
    [
      'overlapping',
      json({
        v: 1,
        op: 'frames',
        sender: 'a',
        ranges: [
          [1, 5],
          [3, 9],
        ],
      }),
      'MALFORMED',
      /overlaps/,
    ],
    [
      '10^9 frames',
      json({ v: 1, op: 'frames', sender: 'a', ranges: [[1, 1e9]] }),
      'TOO_MANY_FRAMES',
      'request spans 1000000000 frames; limit 4096',
    ],
    [
      '65 ranges',
      json({
        v: 1,
        op: 'frames',
        sender: 'a',
        ranges: Array.from({ length: 65 }, (_, i) => [i * 2, i * 2]),
      }),
      'TOO_MANY_RANGES',
      'request: 65 ranges; limit 64',
    ],
    ['9 KiB', Buffer.alloc(9000, 32), 'MALFORMED', 'request of 9000 bytes; limit 8192'],
  ])('refuses %s', (_name, bytes, error, detail) => {
    const decoded = decodeRequest(bytes)
    expect(decoded.ok).toBe(false)
    if (decoded.ok) return
    expect(decoded.error).toBe(error)
    expect(decoded.detail).toMatch(detail)
  })
})

describe('repair answers', () => {
  it('round-trips heads, frames, no frames and errors', () => {
    expect(decodeAnswer(encodeHeads([{ sender: 'a', ranges: [[1, 3]] }]))).toEqual({
      ok: true,
      value: { kind: 'heads', heads: [{ sender: 'a', ranges: [[1, 3]] }] },
    })
    const frames = [Uint8Array.of(1, 2), Uint8Array.of(3)]
    const back = decodeAnswer(encodeFrames(frames))
    expect(back.ok && back.value.kind === 'frames' && back.value.frames.map((f) => [...f])).toEqual(
      [[1, 2], [3]],
    )
    expect(decodeAnswer(encodeFrames([]))).toEqual({
      ok: true,
      value: { kind: 'frames', frames: [] },
    })
    expect(decodeAnswer(encodeError('TOO_MANY_FRAMES', 'x'))).toEqual({
      ok: true,
      value: { kind: 'error', error: 'TOO_MANY_FRAMES', detail: 'x' },
    })
  })

  it.each([
    ['empty', new Uint8Array(0), 'empty answer'],
    ['unknown kind', Uint8Array.of(9), 'answer kind 9 unknown'],
    ['a broken batch', Uint8Array.of(1, 0x50, 1, 0, 1), /answer: /],
    [
      'heads with a bad range',
      Buffer.concat([Uint8Array.of(0), json({ v: 1, heads: [{ sender: 'a', ranges: [[3, 1]] }] })]),
      /range 0/,
    ],
  ])('refuses %s', (_name, bytes, detail) => {
    const decoded = decodeAnswer(bytes)
    expect(decoded.ok).toBe(false)
    if (!decoded.ok) expect(decoded.detail).toMatch(detail)
  })
})
