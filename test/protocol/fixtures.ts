import { PatternGenerator } from '../../src/pattern/index.js'
import {
  ReplayGuard,
  sealEnvelope,
  type EnvelopeFields,
  type VerifyContext,
} from '../../src/protocol/index.js'

export const SENDER = '12D3KooWHonestSenderAaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa'

export function meshGenerator(seed: string | number = 'test-mesh'): PatternGenerator {
  return new PatternGenerator({ seed, phaseResetInterval: 100, cacheSize: 64 })
}

export function fields(overrides: Partial<EnvelopeFields> = {}): EnvelopeFields {
  return {
    kind: 'data',
    senderId: SENDER,
    globalStep: 1000,
    seq: 1,
    timestamp: 1_700_000_000_000,
    data: Buffer.from('hello mesh'),
    ...overrides,
  }
}

export function context(generator: PatternGenerator, localStep = 1000): VerifyContext {
  return { generator, replayGuard: new ReplayGuard(), localStep, stepWindow: 2 }
}

export function seal(generator: PatternGenerator, overrides: Partial<EnvelopeFields> = {}): Buffer {
  return sealEnvelope(generator, fields(overrides))
}
