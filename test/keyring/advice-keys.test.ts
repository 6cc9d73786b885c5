/**
 * Advice streams during a rotation (issue 16): relay and anti-entropy messages are MACed with
 * a step key; a node must open them under any installed key, not its primary only, and answer
 * under the key the request came with. Otherwise a member that switched to the new key before
 * the others (or not yet) cannot relay advice or sync it, and a member back with only the old
 * key cannot be answered. The keyring services are stopped: the keys are set by hand here.
 */
import { peerIdFromString } from '@libp2p/peer-id'
import { afterEach, describe, expect, it } from 'vitest'
import { keyId, networkKeyFromSeed } from '../../src/pattern/index.js'
import type { MeshPeer } from '../../src/peer/mesh-peer.js'
import { MeshFixture, connect } from '../helpers/mesh.js'
import { until } from '../helpers/until.js'

const OLD_ID = keyId(networkKeyFromSeed('test-mesh')) // the fixture's seed
const NEW = Buffer.from('3c'.repeat(32), 'hex')
const NEW_ID = keyId(NEW)
const CONFIG = { heartbeatIntervalMs: 150, suspectAfter: 3, deadAfter: 6 }

const fixture = new MeshFixture()
afterEach(async () => await fixture.stopAll())

async function pair(): Promise<[MeshPeer, MeshPeer]> {
  const a = await fixture.node(CONFIG, { services: {} })
  const b = await fixture.node(CONFIG, { services: {} })
  await connect(b, a)
  await until(() => a.roles!.principal !== null && a.roles!.principal === b.roles!.principal, {
    timeout: 10_000,
    message: 'a principal both agree on',
  })
  // Keys by hand from here: no keyring exchange changes them behind the test's back.
  await Promise.all([a.keyring!.stop(), b.keyring!.stop()])
  return [a, b]
}

const sync = async (from: MeshPeer, to: MeshPeer): Promise<number> =>
  await from.advice!.sync!.syncWith(peerIdFromString(to.peerId))

describe('advice relay and anti-entropy under any installed key', () => {
  it('a member that switched to the new key first still syncs and relays both ways', async () => {
    const [a, b] = await pair()
    for (const n of [a, b]) n.generator.install(NEW)
    const [principal, member] = a.roles!.principal === a.peerId ? [a, b] : [b, a]
    // The member switched, the principal not yet (a `use` on its way, or an earlier one).
    member.generator.use(NEW_ID)
    expect(principal.generator.primaryId).toBe(OLD_ID)

    // Relay: the member's request is sealed under the new key, the principal's answer under it.
    const advice = await member.advice!.issue({
      type: 'CONFIG',
      target: ['*'],
      payload: { stepWindow: 5 },
      ttlMs: 60_000,
    })
    expect(advice.issuer).toBe(principal.peerId)
    // Anti-entropy both ways, each side sealing under its own primary.
    await sync(member, principal)
    await sync(principal, member)
    expect(member.advice!.stats().sync.failedRounds).toBe(0)
    expect(principal.advice!.stats().sync.failedRounds).toBe(0)
  })

  it('a member with only the old key is answered under it by one that uses the new one', async () => {
    const [a, b] = await pair()
    const [principal, member] = a.roles!.principal === a.peerId ? [a, b] : [b, a]
    // The principal installed and switched; the member was down and holds the old key only.
    principal.generator.install(NEW)
    principal.generator.use(NEW_ID)
    expect(member.generator.has(NEW_ID)).toBe(false)
    // It issues through the principal (its relay request opens under the old key there), and
    // pulls what it lacks: the principal's answers are sealed under the old key it asked with.
    const advice = await member.advice!.issue({
      type: 'CONFIG',
      target: [member.peerId],
      payload: { stepWindow: 6 },
      ttlMs: 60_000,
    })
    expect(advice.issuer).toBe(principal.peerId)
    await sync(member, principal)
    expect(member.advice!.stats().sync.failedRounds).toBe(0)
  })

  it('a node holding neither key of the request refuses it', async () => {
    const [a, b] = await pair()
    a.generator.install(NEW)
    a.generator.use(NEW_ID)
    a.generator.remove(OLD_ID)
    // b has only the old key, a only the new one: neither can open the other's messages.
    await expect(sync(b, a)).rejects.toThrow()
    await expect(sync(a, b)).rejects.toThrow()
  })
})
