import { StrictSign } from '@libp2p/gossipsub'
import pino from 'pino'
import { describe, expect, it } from 'vitest'
import { ConfigError } from '../../src/errors.js'
import {
  createMeshLibp2p,
  DEFAULT_LISTEN,
  DEFAULT_TCP_LISTEN,
  DEFAULT_WS_LISTEN,
  fastMsgId,
  InvalidPskError,
  meshGossipsubOptions,
  type MeshLibp2pInit,
} from '../../src/net/index.js'

const base: MeshLibp2pInit = {
  listen: ['/ip4/127.0.0.1/tcp/0'],
  transport: 'tcp',
  mdns: false,
  bootstrap: [],
  start: false,
}

describe('createMeshLibp2p configuration', () => {
  it('exports the daemon listen defaults', () => {
    expect(DEFAULT_TCP_LISTEN).toBe('/ip4/0.0.0.0/tcp/4001')
    expect(DEFAULT_WS_LISTEN).toBe('/ip4/0.0.0.0/tcp/4002/ws')
    expect(DEFAULT_LISTEN).toEqual([DEFAULT_TCP_LISTEN, DEFAULT_WS_LISTEN])
  })

  it('builds the gossipsub options the mesh relies on', () => {
    const options = meshGossipsubOptions(['t'])
    expect(options).toMatchObject({
      globalSignaturePolicy: StrictSign,
      allowPublishToZeroTopicPeers: true,
      emitSelf: false,
      fastMsgIdFn: fastMsgId,
    })
    expect(Object.keys(options.scoreParams?.topics ?? {})).toEqual(['t'])
  })

  it.each([
    [
      'a listen address that is not a multiaddr',
      { listen: ['tcp://0.0.0.0:4001'] },
      'listen',
      /listen\[0\] is not a multiaddr/,
    ],
    [
      'a tcp address with the memory transport',
      { transport: 'memory' as const },
      'listen',
      /not a \/memory\/<name> address/,
    ],
    [
      'a memory address with the tcp transport',
      { listen: ['/memory/x'] },
      'listen',
      /memory address but transport is 'tcp'/,
    ],
    [
      'a bootstrap entry that is not a multiaddr',
      { bootstrap: ['/ip4/1.2.3.4/tcp/1', 'peer-x'] },
      'bootstrap',
      /bootstrap\[1\] is not a multiaddr: 'peer-x'/,
    ],
    [
      'a non-positive dial timeout',
      { dialTimeoutMs: 0 },
      'dialTimeoutMs',
      /dialTimeoutMs must be a positive/,
    ],
  ])('refuses %s with ConfigError naming the key', async (_label, change, key, message) => {
    const created = createMeshLibp2p({ ...base, ...change })
    await expect(created).rejects.toBeInstanceOf(ConfigError)
    await expect(created).rejects.toMatchObject({ code: 'INVALID_CONFIG', key, message })
  })

  it('refuses a bad PSK file with InvalidPskError', async () => {
    const psk = new TextEncoder().encode('/key/swarm/psk/1.0.0/\n/base16/\nabc\n')
    await expect(createMeshLibp2p({ ...base, psk })).rejects.toBeInstanceOf(InvalidPskError)
  })

  it('creates a stopped node when asked, with the mesh services, and accepts a pino logger', async () => {
    const node = await createMeshLibp2p({ ...base, logger: pino({ level: 'silent' }) })
    try {
      expect(node.status).toBe('stopped')
      expect(Object.keys(node.services).sort()).toEqual(
        ['bootstrapDialer', 'discoveryDialer', 'identify', 'ping', 'pubsub'].sort(),
      )
    } finally {
      await node.stop()
    }
  })

  it('starts by default, listens on the given address, and stops cleanly twice', async () => {
    const node = await createMeshLibp2p({ ...base, start: undefined })
    try {
      expect(node.status).toBe('started')
      expect(node.getMultiaddrs()[0]?.toString()).toMatch(/^\/ip4\/127\.0\.0\.1\/tcp\/\d+\/p2p\//)
    } finally {
      await node.stop()
      await node.stop()
    }
    expect(node.status).toBe('stopped')
  })
})
