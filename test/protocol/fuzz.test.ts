import { describe, expect, it } from 'vitest'
import { PatternGenerator } from '../../src/pattern/index.js'
import {
  VERDICT_CODES,
  VERDICT_OF,
  verifyFrame,
  type VerifyResult,
} from '../../src/protocol/index.js'
import { mulberry32 } from '../../src/util/prng.js'
import { context, meshGenerator, seal } from './fixtures.js'

const FRAMES = 100_000

describe('fuzzing decode + verify', () => {
  it(`gives each of ${FRAMES} random and mutated frames a verdict, and accepts no forgery`, () => {
    const random = mulberry32(0xc0ffee)
    const generator = meshGenerator()
    const forger = new PatternGenerator({ seed: 'attacker', phaseResetInterval: 100 })
    const ctx = context(generator, 1000)
    const seen = new Map<string, number>()
    let nextSeq = 1
    let accepted = 0
    let intact = 0

    for (let i = 0; i < FRAMES; i++) {
      const honest = seal(generator, {
        seq: nextSeq++,
        globalStep: 998 + Math.floor(random() * 5),
        data: Buffer.from(String(i)),
      })
      const mode = i % 5
      let frame: Uint8Array
      let mustReject: boolean
      if (mode === 0) {
        frame = randomBytes(random, Math.floor(random() * 300))
        mustReject = true
      } else if (mode === 1) {
        frame = flipRandomBytes(random, honest)
        mustReject = !Buffer.from(frame).equals(honest)
      } else if (mode === 2) {
        frame = seal(forger, { seq: nextSeq++, globalStep: 1000 })
        mustReject = true
      } else if (mode === 3) {
        frame = spliceRandom(random, honest)
        mustReject = !Buffer.from(frame).equals(honest)
      } else {
        frame = honest
        mustReject = false
      }

      let result: VerifyResult | undefined
      expect(() => (result = verifyFrame(frame, ctx))).not.toThrow()
      const { verdict, code } = result!
      expect(VERDICT_CODES).toContain(code)
      if (code !== 'STEP_SKEW') expect(VERDICT_OF[code]).toBe(verdict)
      seen.set(code, (seen.get(code) ?? 0) + 1)
      if (mustReject) expect(verdict).not.toBe('accept')
      else {
        intact++
        if (verdict === 'accept') accepted++
      }
    }
    // Every intact honest frame (at least one in five) is accepted; each kind of damage was exercised.
    expect(intact).toBeGreaterThanOrEqual(FRAMES / 5)
    expect(accepted).toBe(intact)
    for (const code of ['MALFORMED', 'PATTERN_MISMATCH', 'TAG_MISMATCH'])
      expect(seen.get(code)).toBeGreaterThan(0)
  })
})

function randomBytes(random: () => number, length: number): Uint8Array {
  const out = new Uint8Array(length)
  for (let i = 0; i < length; i++) out[i] = Math.floor(random() * 256)
  if (length > 0 && random() < 0.5) out[0] = 1 // a valid version byte gets past the first check
  return out
}

function flipRandomBytes(random: () => number, frame: Buffer): Buffer {
  const copy = Buffer.from(frame)
  const flips = 1 + Math.floor(random() * 3)
  for (let i = 0; i < flips; i++) {
    const at = Math.floor(random() * copy.length)
    copy[at] = copy[at]! ^ (1 + Math.floor(random() * 255))
  }
  return copy
}

function spliceRandom(random: () => number, frame: Buffer): Buffer {
  const cut = Math.floor(random() * frame.length)
  const insert = randomBytes(random, Math.floor(random() * 8))
  return Buffer.concat([
    frame.subarray(0, cut),
    insert,
    frame.subarray(cut + Math.floor(random() * 4)),
  ])
}
