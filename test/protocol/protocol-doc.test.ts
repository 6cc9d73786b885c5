import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import {
  PatternGenerator,
  derivePhaseKey,
  networkKeyFromSeed,
  type PatternAlgorithm,
} from '../../src/pattern/index.js'
import { ReplayGuard, decodeFrame, sealEnvelope, verifyFrame } from '../../src/protocol/index.js'

interface StepVector {
  step: number
  phase: number
  stepKey: string
  value: number
}
interface Vectors {
  seed: string
  networkKey: string
  algorithms: Record<
    PatternAlgorithm,
    { phaseResetInterval: number; phaseKeys: Record<string, string>; steps: StepVector[] }
  >
  envelope: {
    phaseResetInterval: number
    fields: {
      kind: 'data'
      senderId: string
      globalStep: number
      seq: number
      timestamp: number
      data: string
    }
    patternValue: number
    frame: string
    tag: string
  }
}

function readVectors(): Vectors {
  const text = readFileSync(new URL('../../PROTOCOL.md', import.meta.url), 'utf8')
  const block = /<!-- vectors:begin -->\s*```json\n([\s\S]*?)```\s*<!-- vectors:end -->/.exec(text)
  if (block?.[1] === undefined) throw new Error('PROTOCOL.md has no vectors block')
  return JSON.parse(block[1]) as Vectors
}

describe('PROTOCOL.md test vectors', () => {
  const vectors = readVectors()
  const key = Buffer.from(vectors.networkKey, 'hex')

  it('stretches the seed into the documented network key', () => {
    expect(networkKeyFromSeed(vectors.seed).toString('hex')).toBe(vectors.networkKey)
  })

  for (const [algorithm, table] of Object.entries(vectors.algorithms) as Array<
    [PatternAlgorithm, Vectors['algorithms']['sha1']]
  >) {
    it(`derives the documented ${algorithm} phase keys, step keys and values`, () => {
      for (const [phase, phaseKey] of Object.entries(table.phaseKeys)) {
        expect(
          derivePhaseKey(algorithm, key, table.phaseResetInterval, Number(phase)).toString('hex'),
        ).toBe(phaseKey)
      }
      const generator = new PatternGenerator({
        key,
        algorithm,
        phaseResetInterval: table.phaseResetInterval,
      })
      for (const row of table.steps) {
        expect(generator.phase(row.step)).toBe(row.phase)
        expect(generator.stepKey(row.step).toString('hex')).toBe(row.stepKey)
        expect(generator.value(row.step)).toBe(row.value)
      }
    })
  }

  it('seals the documented envelope to the documented frame, which decodes and verifies', () => {
    const { fields, frame, tag, patternValue, phaseResetInterval } = vectors.envelope
    const generator = new PatternGenerator({ key, phaseResetInterval })
    const sealed = sealEnvelope(generator, { ...fields, data: Buffer.from(fields.data, 'utf8') })
    expect(sealed.toString('hex')).toBe(frame)
    const decoded = decodeFrame(Buffer.from(frame, 'hex'))
    if (!decoded.ok) throw new Error(decoded.detail)
    expect(Buffer.from(decoded.frame.tag).toString('hex')).toBe(tag)
    expect(decoded.frame.envelope).toMatchObject({
      ...fields,
      v: 1,
      patternValue,
      data: Buffer.from(fields.data),
    })
    const verdict = verifyFrame(Buffer.from(frame, 'hex'), {
      generator,
      replayGuard: new ReplayGuard(),
      localStep: fields.globalStep,
    })
    expect(verdict.code).toBe('ACCEPTED')
  })
})
