import { createHash } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { MAX_KEYS, PatternKeySet, keyId, networkKeyFromSeed } from '../../src/pattern/index.js'
import { ReplayGuard, verifyFrame, type VerifyContext } from '../../src/protocol/index.js'
import { SENDER, meshGenerator, seal } from '../protocol/fixtures.js'

function context(keys: PatternKeySet): VerifyContext {
  return { generator: keys, replayGuard: new ReplayGuard(), localStep: 1000, stepWindow: 2 }
}

const OLD = networkKeyFromSeed('test-mesh')
const NEW = networkKeyFromSeed('test-mesh-2')
const init = { phaseResetInterval: 100, cacheSize: 64 }

describe('PatternKeySet', () => {
  it('names a key by the first 8 hex digits of its SHA-256', () => {
    expect(keyId(OLD)).toMatch(/^[0-9a-f]{8}$/)
    expect(keyId(OLD)).toBe(createHash('sha256').update(OLD).digest('hex').slice(0, 8))
    expect(keyId(OLD)).not.toBe(keyId(NEW))
  })

  it('stamps with the primary and accepts frames under any installed key', () => {
    const keys = new PatternKeySet({ key: OLD }, init)
    const oldSender = meshGenerator('test-mesh')
    const newSender = meshGenerator('test-mesh-2')
    // Before install: the new key's frames are PATTERN_MISMATCH.
    expect(verifyFrame(seal(newSender), context(keys)).code).toBe('PATTERN_MISMATCH')
    const id = keys.install(NEW)
    expect(keys.list()).toEqual([
      { id: keyId(OLD), primary: true },
      { id, primary: false },
    ])
    expect(keys.entry(1000).value).toBe(oldSender.value(1000))
    expect(verifyFrame(seal(oldSender, { seq: 1 }), context(keys)).code).toBe('ACCEPTED')
    expect(verifyFrame(seal(newSender, { seq: 2 }), context(keys)).code).toBe('ACCEPTED')
    keys.use(id)
    expect(keys.primaryId).toBe(id)
    expect(keys.entry(1000).value).toBe(newSender.value(1000))
    keys.remove(keyId(OLD))
    expect(verifyFrame(seal(oldSender, { seq: 3 }), context(keys)).code).toBe('PATTERN_MISMATCH')
    expect(verifyFrame(seal(newSender, { seq: 4 }), context(keys)).code).toBe('ACCEPTED')
  })

  it('a copied pattern value under a second key is still a TAG_MISMATCH', () => {
    const keys = new PatternKeySet({ key: OLD }, init)
    keys.install(NEW)
    const forger = meshGenerator('forger')
    const frame = seal(forger)
    // The pattern value field (PROTOCOL.md §3) set to the second key's value of the step.
    frame.writeUInt32BE(meshGenerator('test-mesh-2').value(1000), 3 + SENDER.length + 16)
    expect(verifyFrame(frame, context(keys)).code).toBe('TAG_MISMATCH')
  })

  it('refuses to remove the primary, to use an unknown key, and more than MAX_KEYS keys', () => {
    const keys = new PatternKeySet({ key: OLD }, init)
    expect(() => keys.remove(keyId(OLD))).toThrow(/is the primary/)
    expect(() => keys.use('deadbeef')).toThrow(/no installed key has id deadbeef/)
    for (let i = 1; i < MAX_KEYS; i++) keys.install(networkKeyFromSeed(`k${i}`))
    expect(keys.install(OLD)).toBe(keyId(OLD))
    expect(() => keys.install(networkKeyFromSeed('one too many'))).toThrow(/at most 8 keys/)
  })
})
