/**
 * `allowPeers` on real libp2p nodes (TCP on 127.0.0.1): a peer not listed cannot connect
 * either way and nothing of it is delivered, a listed one can; a CONFIG advice changing the
 * list closes the connections it no longer allows and refuses new ones, without a restart,
 * and another one opening the list lets the peer back in.
 */
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { afterEach, describe, expect, it } from 'vitest'
import type { MeshPeer } from '../../src/peer/mesh-peer.js'
import { MeshFixture, connect, subscribersOf } from '../helpers/mesh.js'
import { until } from '../helpers/until.js'

const fixture = new MeshFixture()
afterEach(async () => await fixture.stopAll())

/** The data messages `node` delivers, as text. */
function received(node: MeshPeer): string[] {
  const texts: string[] = []
  node.onMessage((m) => texts.push(Buffer.from(m.envelope.data).toString('utf8')))
  return texts
}

/**
 * `from` dials `to` and ends up with no connection: the dial throws (our gater refused it
 * before any I/O), or the connection it got is closed at once (the remote's gater refuses it
 * when the handshake names the dialer; noise negotiates the muxer inside the handshake, so the
 * dialer's side may complete first). Throws if a connection stays open.
 */
async function refused(from: MeshPeer, to: MeshPeer): Promise<true> {
  let connection
  try {
    connection = await from.libp2p.dial(to.libp2p.getMultiaddrs()[0]!, {
      signal: AbortSignal.timeout(5000),
    })
  } catch {
    return true
  }
  await until(() => connection.status !== 'open', {
    message: `${to.peerId} closes the connection it refused`,
  })
  return true
}

/** `from` connects to `to`, and `to` sees the connection. */
async function connects(from: MeshPeer, to: MeshPeer): Promise<boolean> {
  try {
    await connect(from, to)
  } catch {
    return false
  }
  await until(() => to.connectedPeers().includes(from.peerId), { message: 'connected' })
  return true
}

/** The peers `node` saw connect. */
function connectedSeen(node: MeshPeer): string[] {
  const seen: string[] = []
  node.addEventListener('peer.connected', (e) => seen.push(e.detail.peerId))
  return seen
}

describe('allowPeers on a real mesh', () => {
  it('a peer not listed cannot connect and nothing of it is delivered; a listed one can', async () => {
    const [aKey, bKey] = await Promise.all([generateKeyPair('Ed25519'), generateKeyPair('Ed25519')])
    const listed = peerIdFromPrivateKey(bKey).toString()
    const a = await fixture.node({ allowPeers: [listed] }, { privateKey: aKey })
    const b = await fixture.node({}, { privateKey: bKey })
    const stranger = await fixture.node()
    const onA = received(a)
    const seenByA = connectedSeen(a)

    // Both ways: its dial fails once the handshake names it; ours is refused before any I/O.
    expect(await refused(stranger, a)).toBe(true)
    await expect(connect(a, stranger)).rejects.toThrow()
    await stranger.broadcast('from the stranger').catch(() => undefined)
    expect(a.connectedPeers()).not.toContain(stranger.peerId)
    expect(stranger.connectedPeers()).not.toContain(a.peerId)
    const stats = a.node.allowlist.stats()
    expect(stats.listed).toBe(1)
    expect(stats.refusedInbound).toBeGreaterThanOrEqual(1)
    expect(stats.refusedOutbound).toBeGreaterThanOrEqual(1)

    expect(await connects(b, a)).toBe(true)
    await until(() => subscribersOf(b, b.topics.data).includes(a.peerId), {
      message: 'b sees a subscribed',
    })
    await until(
      async () => {
        await b.broadcast('from b')
        return onA.includes('from b')
      },
      { interval: 200, message: 'a delivers the listed peer' },
    )
    // The stranger tried again meanwhile, and still nothing of it arrived.
    expect(await refused(stranger, a)).toBe(true)
    expect(onA.filter((text) => text !== 'from b')).toEqual([])
    expect(a.connectedPeers()).toEqual([b.peerId])
    expect(seenByA).toEqual([b.peerId])
  })

  it('a CONFIG advice changes the list live: connections to the dropped peer close, new ones fail; opening the list lets it back', async () => {
    const services = { services: {} }
    const principal = await fixture.node({ weight: 30 }, services)
    const member = await fixture.node({ weight: 20 }, services)
    const dropped = await fixture.node({ weight: 10 }, services)
    const peers = [principal, member, dropped]
    await connect(member, principal)
    await connect(dropped, principal)
    await connect(dropped, member)
    await until(() => peers.every((p) => p.roles?.principal === principal.peerId), {
      timeout: 15_000,
      message: 'the heaviest is principal everywhere',
    })
    const onPrincipal = received(principal)

    await member.advice!.issue({
      type: 'CONFIG',
      target: ['*'],
      payload: { allowPeers: [principal.peerId, member.peerId] },
      ttlMs: 60_000,
    })
    await until(
      () =>
        !principal.connectedPeers().includes(dropped.peerId) &&
        !member.connectedPeers().includes(dropped.peerId),
      { message: 'the dropped peer disconnected from both' },
    )
    expect(principal.config.allowPeers).toEqual([principal.peerId, member.peerId])
    expect(
      principal.node.allowlist.stats().closed + member.node.allowlist.stats().closed,
    ).toBeGreaterThanOrEqual(1)
    const seenByPrincipal = connectedSeen(principal)
    expect(await refused(dropped, principal)).toBe(true)
    expect(await refused(dropped, member)).toBe(true)
    await expect(connect(principal, dropped)).rejects.toThrow()
    // The two listed still talk; nothing of the dropped one arrives any more.
    expect(principal.connectedPeers()).toContain(member.peerId)
    onPrincipal.length = 0
    await dropped.broadcast('from the dropped peer').catch(() => undefined)
    await until(
      async () => {
        await member.broadcast('from the member')
        return onPrincipal.includes('from the member')
      },
      { interval: 200, message: 'the member still reaches the principal' },
    )
    expect(onPrincipal).not.toContain('from the dropped peer')
    expect(seenByPrincipal).not.toContain(dropped.peerId)

    // Opening the list again: the dropped peer may connect (it did not get this advice).
    await member.advice!.issue({
      type: 'CONFIG',
      target: ['*'],
      payload: { allowPeers: [] },
      ttlMs: 60_000,
    })
    await until(() => principal.config.allowPeers.length === 0, { message: 'list opened' })
    await until(async () => await connects(dropped, principal), {
      interval: 200,
      message: 'the dropped peer connects again',
    })
  }, 40_000)
})
