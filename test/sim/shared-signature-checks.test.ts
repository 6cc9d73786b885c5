/**
 * In-process simulations share successful signature checks between their nodes: the second
 * check of the same (key, signature, data) is answered from memory, a forged or tampered one
 * is still checked and refused, and releasing the share restores libp2p's own check.
 */
import { generateKeyPair } from '@libp2p/crypto/keys'
import { describe, expect, it } from 'vitest'
import {
  shareSignatureChecks,
  sharedCheckStats,
} from '../../src/sim/in-process/shared-signature-checks.js'

describe('shared signature checks', () => {
  it('answers a repeated check from memory, still refuses forgeries, and releases', async () => {
    const key = await generateKeyPair('Ed25519')
    const data = new TextEncoder().encode('a heartbeat')
    const signature = await key.sign(data)
    const tampered = Uint8Array.from(data)
    tampered[0]! ^= 1
    const forged = Uint8Array.from(signature)
    forged[5]! ^= 1

    const release = await shareSignatureChecks()
    const releaseNested = await shareSignatureChecks()
    const before = sharedCheckStats()
    expect(await key.publicKey.verify(data, signature)).toBe(true)
    expect(await key.publicKey.verify(data, signature)).toBe(true)
    expect(await key.publicKey.verify(tampered, signature)).toBe(false)
    expect(await key.publicKey.verify(data, forged)).toBe(false)
    // A key that did not sign it: the memory is keyed by the public key too.
    const other = (await generateKeyPair('Ed25519')).publicKey
    expect(await other.verify(data, signature)).toBe(false)
    const after = sharedCheckStats()
    expect(after.checks - before.checks).toBe(5)
    expect(after.remembered - before.remembered).toBe(1)

    releaseNested()
    expect(await key.publicKey.verify(data, signature)).toBe(true)
    expect(sharedCheckStats().checks - after.checks).toBe(1) // still shared: one user left
    release()
    release() // twice is harmless
    expect(await key.publicKey.verify(data, signature)).toBe(true)
    expect(sharedCheckStats().checks - after.checks).toBe(1) // libp2p's own check again
  })
})
