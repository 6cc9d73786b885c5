import { describe, expect, it } from 'vitest'
import { PatternGenerator } from '../../src/pattern/index.js'
import {
  ReplayGuard,
  TAG_BYTES,
  decodeJsonPayload,
  encodeJsonPayload,
  verifyFrame,
} from '../../src/protocol/index.js'
import { SENDER, context, meshGenerator, seal } from './fixtures.js'

describe('verifyFrame', () => {
  const generator = meshGenerator()

  it('accepts an honest frame and hands back its envelope', () => {
    const result = verifyFrame(seal(generator), context(generator))
    expect(result).toMatchObject({
      verdict: 'accept',
      code: 'ACCEPTED',
      envelope: { senderId: SENDER, seq: 1 },
    })
  })

  it('rejects a frame sealed with another network key as PATTERN_MISMATCH', () => {
    const forger = new PatternGenerator({ seed: 'not-the-mesh', phaseResetInterval: 100 })
    const result = verifyFrame(seal(forger), context(generator))
    expect(result).toMatchObject({ verdict: 'reject', code: 'PATTERN_MISMATCH' })
  })

  it('rejects a forged frame that copies the right pattern value but not the key as TAG_MISMATCH', () => {
    const forger = new PatternGenerator({ seed: 'not-the-mesh', phaseResetInterval: 100 })
    const frame = seal(forger)
    // The pattern value is public once seen on the wire: a forger can copy it, not the tag.
    frame.writeUInt32BE(generator.value(1000), 3 + SENDER.length + 16)
    expect(verifyFrame(frame, context(generator))).toMatchObject({
      verdict: 'reject',
      code: 'TAG_MISMATCH',
    })
  })

  it.each([
    ['data', -TAG_BYTES - 1],
    ['seq', 3 + SENDER.length + 15],
    ['timestamp', 3 + SENDER.length + 27],
    ['tag', -1],
  ])('rejects a frame whose %s was altered as TAG_MISMATCH', (_field, offset) => {
    const frame = seal(generator)
    const at = offset < 0 ? frame.length + offset : offset
    frame[at] = frame[at]! ^ 0x01
    expect(verifyFrame(frame, context(generator))).toMatchObject({
      verdict: 'reject',
      code: 'TAG_MISMATCH',
    })
  })

  it('rejects a changed step as PATTERN_MISMATCH (the step is bound to the pattern value)', () => {
    const frame = seal(generator)
    frame[3 + SENDER.length + 7] = frame[3 + SENDER.length + 7]! ^ 0x01
    expect(verifyFrame(frame, context(generator))).toMatchObject({ code: 'PATTERN_MISMATCH' })
  })

  it('accepts steps within the window; outside it, ignores late ones and rejects far-ahead ones', () => {
    const ctx = context(generator, 1000)
    expect(verifyFrame(seal(generator, { globalStep: 998, seq: 1 }), ctx).code).toBe('ACCEPTED')
    expect(verifyFrame(seal(generator, { globalStep: 1002, seq: 2 }), ctx).code).toBe('ACCEPTED')
    // Just outside the window: plausibly the receiver's lag, ignored so relays keep their score.
    expect(verifyFrame(seal(generator, { globalStep: 1003, seq: 3 }), ctx)).toMatchObject({
      verdict: 'ignore',
      code: 'STEP_SKEW',
    })
    expect(verifyFrame(seal(generator, { globalStep: 1006, seq: 6 }), ctx)).toMatchObject({
      verdict: 'reject',
      code: 'STEP_SKEW',
    })
    expect(verifyFrame(seal(generator, { globalStep: 1_000_000_000, seq: 4 }), ctx)).toMatchObject({
      verdict: 'reject',
      code: 'STEP_SKEW',
    })
    // Late, however late: the receiver's backlog or a slow path is not its author's fault.
    for (const [globalStep, seq] of [
      [997, 7],
      [990, 8],
      [0, 5],
    ])
      expect(verifyFrame(seal(generator, { globalStep, seq }), ctx)).toMatchObject({
        verdict: 'ignore',
        code: 'STEP_SKEW',
      })
  })

  it('rejects the same (sender, seq) twice as REPLAY, and does not record rejected frames', () => {
    const ctx = context(generator)
    const frame = seal(generator, { seq: 7 })
    const tampered = Buffer.from(frame)
    tampered[tampered.length - 1] = tampered[tampered.length - 1]! ^ 0xff
    expect(verifyFrame(tampered, ctx).code).toBe('TAG_MISMATCH')
    expect(verifyFrame(frame, ctx).code).toBe('ACCEPTED')
    expect(verifyFrame(frame, ctx)).toMatchObject({ verdict: 'reject', code: 'REPLAY' })
    expect(verifyFrame(seal(generator, { seq: 6 }), ctx).code).toBe('ACCEPTED')
  })

  it('calls an old frame replayed after the window has moved on a REPLAY, not a skew', () => {
    const ctx = context(generator, 1000)
    const old = seal(generator, { globalStep: 1000, seq: 10 })
    expect(verifyFrame(old, ctx).code).toBe('ACCEPTED')
    ctx.localStep = 1010
    expect(verifyFrame(seal(generator, { globalStep: 1010, seq: 11 }), ctx).code).toBe('ACCEPTED')
    expect(verifyFrame(old, ctx).code).toBe('REPLAY')
  })

  // Late is not replay (issue 12.7): the receiver accepted seq 10 at step 1000, its sender then
  // moved on to seq `reached` at step 1010; a frame then arrives from step 1000 (outside
  // 1010 ± 2). Only a seq whose bit is set is a REPLAY; one this node cannot vouch for is not.
  it.each([
    ['a seq accepted before', 10, 20, 'REPLAY'],
    [
      'a seq never seen, below what the sender reached (a late retransmission)',
      11,
      20,
      'STEP_SKEW',
    ],
    ['a seq never seen, above what the sender reached', 30, 20, 'STEP_SKEW'],
    ['a seq accepted before but now below the replay window (unprovable)', 10, 200, 'STEP_SKEW'],
  ] as const)('an old-step frame with %s is %s', (_what, seq, reached, code) => {
    const verdict = code === 'REPLAY' ? 'reject' : 'ignore'
    const ctx = { ...context(generator, 1000), replayGuard: new ReplayGuard({ window: 64 }) }
    expect(verifyFrame(seal(generator, { globalStep: 1000, seq: 10 }), ctx).code).toBe('ACCEPTED')
    ctx.localStep = 1010
    const later = seal(generator, { globalStep: 1010, seq: reached })
    expect(verifyFrame(later, ctx).code).toBe('ACCEPTED')
    expect(verifyFrame(seal(generator, { globalStep: 1000, seq }), ctx)).toMatchObject({
      verdict,
      code,
    })
  })

  it('ignores a late frame just outside the window that was never seen, as a near STEP_SKEW', () => {
    const ctx = context(generator, 1000)
    expect(verifyFrame(seal(generator, { globalStep: 1000, seq: 10 }), ctx).code).toBe('ACCEPTED')
    ctx.localStep = 1003
    expect(verifyFrame(seal(generator, { globalStep: 1003, seq: 12 }), ctx).code).toBe('ACCEPTED')
    expect(verifyFrame(seal(generator, { globalStep: 1000, seq: 11 }), ctx)).toMatchObject({
      verdict: 'ignore',
      code: 'STEP_SKEW',
    })
    expect(verifyFrame(seal(generator, { globalStep: 1000, seq: 10 }), ctx)).toMatchObject({
      verdict: 'reject',
      code: 'REPLAY',
    })
  })

  it('drops a seq below the replay window without blaming its sender (it cannot tell)', () => {
    const ctx = { ...context(generator), replayGuard: new ReplayGuard({ window: 64 }) }
    expect(verifyFrame(seal(generator, { seq: 10 }), ctx).code).toBe('ACCEPTED')
    expect(verifyFrame(seal(generator, { seq: 200 }), ctx).code).toBe('ACCEPTED')
    for (const seq of [10, 11])
      expect(verifyFrame(seal(generator, { seq }), ctx)).toMatchObject({
        verdict: 'ignore',
        code: 'REPLAY',
      })
  })

  it('rejects a fresh frame published by another peer as UNKNOWN_SENDER without burning its seq', () => {
    const ctx = context(generator)
    const frame = seal(generator, { seq: 42 })
    expect(verifyFrame(frame, { ...ctx, expectedSender: '12D3KooWThief' })).toMatchObject({
      verdict: 'reject',
      code: 'UNKNOWN_SENDER',
    })
    expect(verifyFrame(frame, { ...ctx, expectedSender: SENDER }).code).toBe('ACCEPTED')
    expect(verifyFrame(frame, { ...ctx, expectedSender: '12D3KooWThief' }).code).toBe('REPLAY')
  })

  it('skips the step window when it is Infinity (step announcements)', () => {
    const ctx = { ...context(generator, 1000), stepWindow: Number.POSITIVE_INFINITY }
    expect(verifyFrame(seal(generator, { globalStep: 5_000_000 }), ctx).code).toBe('ACCEPTED')
  })

  it('never throws on a non-Uint8Array frame', () => {
    expect(verifyFrame('nope' as never, context(generator)).code).toBe('MALFORMED')
  })
})

describe('ReplayGuard', () => {
  it('tracks a sliding window per sender and says when a seq fell below it', () => {
    const guard = new ReplayGuard({ window: 64 })
    guard.record('a', 100)
    expect(guard.check('a', 100)).toBe('seen')
    expect(guard.check('a', 99)).toBe('fresh')
    expect(guard.check('b', 100)).toBe('fresh')
    guard.record('a', 200)
    expect(guard.check('a', 100)).toBe('below-window')
    expect(guard.check('a', 150)).toBe('fresh')
    guard.record('a', 150)
    expect(guard.check('a', 150)).toBe('seen')
    // Slots reused by the sliding window are forgotten: 214 shares 150's slot (mod 64).
    guard.record('a', 213)
    expect(guard.check('a', 150)).toBe('seen')
    guard.record('a', 214)
    expect(guard.check('a', 150)).toBe('below-window')
  })

  it('bounds the senders it tracks and counts evictions', () => {
    const guard = new ReplayGuard({ maxSenders: 3 })
    for (const id of ['a', 'b', 'c', 'd', 'e']) guard.record(id, 1)
    expect(guard.stats()).toEqual({ senders: 3, evictedSenders: 2 })
  })
})

describe('JSON payloads', () => {
  it('round-trip and drop prototype keys', () => {
    const parsed = decodeJsonPayload(
      Buffer.from('{"a":1,"__proto__":{"x":1},"b":{"constructor":2}}'),
      1024,
    )
    expect(parsed).toEqual({ ok: true, value: { a: 1, b: {} } })
    expect(decodeJsonPayload(encodeJsonPayload({ k: [1, 'two'] }), 1024)).toEqual({
      ok: true,
      value: { k: [1, 'two'] },
    })
  })

  it('refuse oversize, invalid UTF-8 and non-JSON payloads with a reason', () => {
    expect(decodeJsonPayload(Buffer.alloc(10), 5)).toMatchObject({ ok: false, detail: /exceeds/ })
    expect(decodeJsonPayload(Buffer.from([0xff, 0xfe]), 5)).toMatchObject({
      ok: false,
      detail: /UTF-8/,
    })
    expect(decodeJsonPayload(Buffer.from('{nope'), 50)).toMatchObject({ ok: false, detail: /JSON/ })
  })
})
