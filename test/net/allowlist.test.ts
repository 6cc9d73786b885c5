/**
 * The allowlist's decisions without a network: the pure rule, the canonical ids, the gater's
 * hooks and counts, gaters composed with a partition gater, the refusal log throttle, and the
 * config checks of `allowPeers`.
 */
import { generateKeyPair } from '@libp2p/crypto/keys'
import type { PeerId } from '@libp2p/interface'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { multiaddr } from '@multiformats/multiaddr'
import { describe, expect, it } from 'vitest'
import { validateAdviceRequest } from '../../src/advice/index.js'
import { DEFAULT_CONFIG, loadConfig, validateConfigLayer } from '../../src/config/index.js'
import {
  AllowlistGater,
  PartitionGater,
  allowedByList,
  canonicalPeerIds,
  composeGaters,
} from '../../src/net/index.js'
import { planReload } from '../../src/daemon/reload.js'
import { LogThrottle } from '../../src/node/node-allowlist.js'

async function peerId(): Promise<PeerId> {
  return peerIdFromPrivateKey(await generateKeyPair('Ed25519'))
}

const [a, b, c, self] = await Promise.all([peerId(), peerId(), peerId(), peerId()])

describe('allowedByList', () => {
  it.each([
    [[], 'x', true],
    [['x'], 'x', true],
    [['x'], 'y', false],
    [['x', 'y'], 'y', true],
  ])('list %j, peer %s → %s', (list, peer, allowed) => {
    expect(allowedByList(new Set(list), peer)).toBe(allowed)
  })
})

describe('canonicalPeerIds', () => {
  it('keeps base58 ids as they are, turns a CID-form id into base58, drops what is not a peer id', () => {
    const cid = a.toCID().toString()
    expect(cid).not.toBe(a.toString())
    expect([...canonicalPeerIds([b.toString(), cid, 'not-a-peer-id'])].sort()).toEqual(
      [a.toString(), b.toString()].sort(),
    )
  })
})

describe('AllowlistGater', () => {
  it('allows everyone while the list is empty or absent', () => {
    for (const list of [undefined, []]) {
      const gater = new AllowlistGater({ allowPeers: () => list })
      expect(gater.denyDialPeer(a)).toBe(false)
      expect(gater.denyInboundEncryptedConnection(a)).toBe(false)
      expect(gater.stats()).toEqual({ listed: 0, refusedInbound: 0, refusedOutbound: 0, closed: 0 })
    }
  })

  it('refuses peers not listed, both ways, counts each refusal and announces it', () => {
    const gater = new AllowlistGater({ allowPeers: () => [a.toString()] })
    const refused: string[] = []
    gater.addEventListener('peer.refused', (e) =>
      refused.push(`${e.detail.direction} ${e.detail.peerId}`),
    )
    expect(gater.denyDialPeer(a)).toBe(false)
    expect(gater.denyInboundEncryptedConnection(a)).toBe(false)
    expect(gater.denyOutboundEncryptedConnection(a)).toBe(false)
    expect(gater.denyDialPeer(b)).toBe(true)
    expect(gater.denyOutboundEncryptedConnection(b)).toBe(true)
    expect(gater.denyInboundEncryptedConnection(c)).toBe(true)
    expect(gater.denyDialMultiaddr(multiaddr(`/ip4/127.0.0.1/tcp/1/p2p/${b.toString()}`))).toBe(
      true,
    )
    // An address without a peer id is decided once the handshake names the peer.
    expect(gater.denyDialMultiaddr(multiaddr('/ip4/127.0.0.1/tcp/1'))).toBe(false)
    expect(gater.stats()).toEqual({ listed: 1, refusedInbound: 1, refusedOutbound: 3, closed: 0 })
    expect(refused).toEqual([
      `outbound ${b.toString()}`,
      `outbound ${b.toString()}`,
      `inbound ${c.toString()}`,
      `outbound ${b.toString()}`,
    ])
  })

  it('reads the list live: a new array holds for the next decision', () => {
    const config = { allowPeers: [a.toString()] }
    const gater = new AllowlistGater({ allowPeers: () => config.allowPeers })
    expect(gater.allows(b)).toBe(false)
    config.allowPeers = [a.toString(), b.toString()]
    expect(gater.allows(b)).toBe(true)
    config.allowPeers = []
    expect(gater.allows(c)).toBe(true)
  })

  it('closes the open connections to peers no longer allowed, aborting one whose close fails', async () => {
    const config = { allowPeers: [] as string[] }
    const gater = new AllowlistGater({ allowPeers: () => config.allowPeers })
    const events: string[] = []
    const conn = (peer: PeerId, fails = false): never =>
      ({
        remotePeer: peer,
        close: async () => {
          if (fails) throw new Error('stuck')
          events.push(`close ${peer.toString()}`)
        },
        abort: (err: Error) => events.push(`abort ${peer.toString()} ${err.message}`),
      }) as never
    const node = { peerId: self, getConnections: () => [conn(a), conn(b), conn(c, true)] }
    expect(await gater.closeDisallowed(node)).toBe(0)
    config.allowPeers = [a.toString()]
    expect(await gater.closeDisallowed(node)).toBe(2)
    expect(events.sort()).toEqual(
      [
        `close ${b.toString()}`,
        `abort ${c.toString()} not in allowPeers; close failed: Error: stuck`,
      ].sort(),
    )
    expect(gater.stats().closed).toBe(2)
  })
})

describe('composeGaters', () => {
  it('refuses what either refuses, the allowlist first (a partitioned peer not listed counts once)', async () => {
    const allowlist = new AllowlistGater({ allowPeers: () => [a.toString(), b.toString()] })
    const partitions = new PartitionGater({ self, groups: [[self, a], [b]] })
    const gater = composeGaters(allowlist, undefined, partitions)!
    expect(await gater.denyDialPeer!(a)).toBe(false)
    expect(await gater.denyDialPeer!(b)).toBe(true) // partitioned
    expect(await gater.denyInboundEncryptedConnection!(c, {} as never)).toBe(true) // not listed
    expect(allowlist.stats().refusedOutbound).toBe(0)
    expect(allowlist.stats().refusedInbound).toBe(1)
    partitions.heal()
    expect(await gater.denyOutboundEncryptedConnection!(b, {} as never)).toBe(false)
  })

  it('keeps an address only if every gater keeps it; one gater is returned as it is', async () => {
    const keepNone = { filterMultiaddrForPeer: () => false }
    const keepAll = { filterMultiaddrForPeer: () => true }
    const addr = multiaddr('/ip4/127.0.0.1/tcp/1')
    expect(await composeGaters(keepAll, keepNone)!.filterMultiaddrForPeer!(a, addr)).toBe(false)
    expect(await composeGaters(keepAll, keepAll)!.filterMultiaddrForPeer!(a, addr)).toBe(true)
    expect(composeGaters(undefined, keepAll)).toBe(keepAll)
    expect(composeGaters()).toBeUndefined()
  })
})

describe('LogThrottle', () => {
  it('logs the first event, holds the rest of the interval back, and counts them into the next line', () => {
    const throttle = new LogThrottle(10_000)
    const at = [0, 1, 2, 9_999, 10_000, 10_500, 25_000]
    expect(at.map((t) => throttle.note(t))).toEqual([
      { log: true, suppressed: 0 },
      { log: false, suppressed: 0 },
      { log: false, suppressed: 0 },
      { log: false, suppressed: 0 },
      { log: true, suppressed: 3 },
      { log: false, suppressed: 0 },
      { log: true, suppressed: 1 },
    ])
  })
})

describe('allowPeers config', () => {
  it('defaults to empty (everyone), comes from PATTERNMESH_ALLOW_PEERS as a list', async () => {
    expect(DEFAULT_CONFIG.allowPeers).toEqual([])
    const env = {
      PATTERNMESH_SEED: 's',
      PATTERNMESH_ALLOW_PEERS: `${a.toString()}, ${b.toString()}`,
    }
    expect((await loadConfig({ env })).allowPeers).toEqual([a.toString(), b.toString()])
  })

  it('refuses an entry that is not a peer id, naming it, and duplicates', () => {
    expect(() =>
      validateConfigLayer({ allowPeers: [a.toString(), 'QmNotAPeer'] }, 'config file x.json'),
    ).toThrow('config file x.json: allowPeers.1 "QmNotAPeer" is not a peer id')
    expect(() =>
      validateConfigLayer({ allowPeers: [a.toString(), a.toString()] }, 'config file x.json'),
    ).toThrow(/allowPeers/)
    expect(() => validateConfigLayer({ allowPeers: a.toString() }, 'env')).toThrow(
      /allowPeers must be array/,
    )
  })

  it('is applied live by a SIGHUP reload, set and removed (removed: everyone again)', async () => {
    const before = await loadConfig({ env: { PATTERNMESH_SEED: 's' } })
    const listed = await loadConfig({
      env: { PATTERNMESH_SEED: 's', PATTERNMESH_ALLOW_PEERS: a.toString() },
    })
    expect(planReload(before, listed)).toEqual({
      changed: ['allowPeers'],
      live: { allowPeers: [a.toString()] },
      needsRestart: [],
    })
    expect(planReload(listed, before).live).toEqual({ allowPeers: [] })
  })

  it('is a live key of CONFIG advice, checked like a config file', () => {
    const request = {
      type: 'CONFIG',
      target: ['*'],
      payload: { allowPeers: [a.toString()] },
      ttlMs: 60_000,
    }
    expect(() => validateAdviceRequest(request)).not.toThrow()
    expect(() => validateAdviceRequest({ ...request, payload: { allowPeers: ['nope'] } })).toThrow(
      /allowPeers.0 "nope" is not a peer id/,
    )
  })
})
