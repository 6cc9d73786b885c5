import { afterEach, describe, expect, it } from 'vitest'
import { createMeshLibp2p } from '../../src/net/index.js'
import { until } from '../helpers/until.js'
import { addrOf, Cleanup, identity, isConnected, memoryAddr, memoryNode } from './helpers.js'

describe('bootstrap dialing', () => {
  const cleanup = new Cleanup()
  afterEach(() => cleanup.run())

  it('connects to the bootstrap peers when the node starts', async () => {
    const seed = await memoryNode(cleanup)
    const node = await memoryNode(cleanup, { bootstrap: [addrOf(seed).toString()] })

    await until(() => isConnected(node, seed), { message: 'the bootstrap connection' })
    expect(node.services.bootstrapDialer.status()).toEqual([
      {
        addr: addrOf(seed).toString(),
        peerId: seed.peerId.toString(),
        connected: true,
        failures: 0,
      },
    ])
  })

  it('redials a bootstrap peer that is down until it is up, and again after it hangs up', async () => {
    const seedId = await identity()
    const seedAddr = `${memoryAddr('seed')}/p2p/${seedId.peerId}`
    const node = await memoryNode(cleanup, { bootstrap: [seedAddr] })
    const dialer = node.services.bootstrapDialer
    await until(() => (dialer.status()[0]?.failures ?? 0) >= 1, { message: 'a failed dial' })
    expect(dialer.status()[0]?.connected).toBe(false)

    const seed = await createMeshLibp2p({
      listen: [seedAddr.replace(/\/p2p\/.*$/, '')],
      transport: 'memory',
      privateKey: seedId.privateKey,
      mdns: false,
      bootstrap: [],
    })
    cleanup.defer(() => seed.stop())

    await until(() => isConnected(node, seed), { message: 'the redial to succeed', timeout: 8_000 })
    expect(dialer.status()[0]).toMatchObject({ connected: true, failures: 0 })

    // The seed has no bootstrap list: only the node's dialer can restore the connection.
    await seed.hangUp(node.peerId)
    await until(() => !isConnected(node, seed), { message: 'the hang-up' })
    await until(() => isConnected(node, seed), {
      message: 'the redial after hang-up',
      timeout: 8_000,
    })
  })
})
