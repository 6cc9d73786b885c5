import { describe, expect, it } from 'vitest'
import { fastMsgId } from '../../src/net/index.js'

const bytes = (...values: number[]): Uint8Array => Uint8Array.from(values)
const base = { topic: 't', from: bytes(1, 2), seqno: bytes(0, 0, 0, 1), data: bytes(9, 9) }

describe('fastMsgId', () => {
  it('is the same for the same message (a duplicate copy)', () => {
    expect(fastMsgId({ ...base })).toBe(fastMsgId({ ...base, signature: bytes(7) }))
  })

  it.each([
    ['topic', { topic: 'u' }],
    ['from', { from: bytes(1, 3) }],
    ['seqno', { seqno: bytes(0, 0, 0, 2) }],
    ['data', { data: bytes(9, 8) }],
    ['a field boundary', { from: bytes(1), seqno: bytes(2, 0, 0, 0, 1) }],
    ['missing from', { from: undefined }],
  ])('differs when %s differs', (_label, change) => {
    expect(fastMsgId({ ...base, ...change })).not.toBe(fastMsgId(base))
  })
})
