import { afterEach, describe, expect, it } from 'vitest'
import {
  allowedByGroups,
  DialFailedError,
  dialWithTimeout,
  InvalidPartitionError,
  PartitionGater,
  PartitionTable,
  type MeshLibp2p,
} from '../../src/net/index.js'
import { until } from '../helpers/until.js'
import { addrOf, Cleanup, identity, isConnected, memoryNode } from './helpers.js'

describe('allowedByGroups', () => {
  const groupOf = new Map([
    ['a', 0],
    ['b', 0],
    ['c', 1],
  ])
  it.each([
    ['a', 'b', true, 'same group'],
    ['a', 'c', false, 'different groups'],
    ['c', 'a', false, 'different groups, other direction'],
    ['a', 'x', true, 'x is in no group'],
    ['x', 'y', true, 'neither is in a group'],
    ['c', 'c', true, 'a peer and itself'],
  ])('%s ↔ %s → %s (%s)', (a, b, expected) => {
    expect(allowedByGroups(groupOf, a, b)).toBe(expected)
  })
})

describe('PartitionTable', () => {
  it('allows everything until partitioned and again after heal', () => {
    const table = new PartitionTable()
    expect(table.partitioned).toBe(false)
    table.partition([['a'], ['b']])
    expect(table.partitioned).toBe(true)
    expect(table.allowed('a', 'b')).toBe(false)
    table.heal()
    expect(table.partitioned).toBe(false)
    expect(table.allowed('a', 'b')).toBe(true)
  })

  it('refuses a peer listed in two groups and keeps the groups it had', () => {
    const table = new PartitionTable()
    table.partition([['a'], ['b']])
    expect(() =>
      table.partition([
        ['a', 'b'],
        ['b', 'c'],
      ]),
    ).toThrow(InvalidPartitionError)
    expect(() => table.partition([['a'], ['a']])).toThrow(/peer a is in group 0 and group 1/)
    expect(table.allowed('a', 'b')).toBe(false)
  })
})

describe('PartitionGater on libp2p nodes', () => {
  const cleanup = new Cleanup()
  afterEach(() => cleanup.run())

  /** Three memory nodes whose gaters share one table. */
  async function threeNodes(): Promise<{
    table: PartitionTable
    gaters: PartitionGater[]
    nodes: MeshLibp2p[]
  }> {
    const table = new PartitionTable()
    const ids = await Promise.all([identity(), identity(), identity()])
    const gaters = ids.map(({ peerId }) => new PartitionGater({ self: peerId, table }))
    const nodes = await Promise.all(
      ids.map(({ privateKey }, i) =>
        memoryNode(cleanup, { privateKey, connectionGater: gaters[i], dialTimeoutMs: 2_000 }),
      ),
    )
    return { table, gaters, nodes }
  }

  it('refuses dials across groups, allows them within a group, and heal lifts it', async () => {
    const { table, nodes } = await threeNodes()
    const [a, b, c] = nodes as [MeshLibp2p, MeshLibp2p, MeshLibp2p]
    table.partition([[a.peerId, b.peerId], [c.peerId.toString()]])

    await dialWithTimeout(a, addrOf(b))
    const denied = { code: 'DIAL_FAILED', cause: { name: 'DialDeniedError' } }
    await expect(dialWithTimeout(a, addrOf(c))).rejects.toMatchObject(denied)
    await expect(dialWithTimeout(c, addrOf(b))).rejects.toMatchObject(denied)
    expect(isConnected(a, c) || isConnected(c, b)).toBe(false)

    table.heal()
    await dialWithTimeout(a, addrOf(c))
    await dialWithTimeout(c, addrOf(b))
    expect(isConnected(a, c) && isConnected(c, b)).toBe(true)
  })

  it('refuses inbound connections from another group even if the dialer has no gater', async () => {
    const { peerId, privateKey } = await identity()
    const outsider = await memoryNode(cleanup)
    const gater = new PartitionGater({ self: peerId, groups: [[peerId], [outsider.peerId]] })
    const guarded = await memoryNode(cleanup, { privateKey, connectionGater: gater })

    await expect(dialWithTimeout(outsider, addrOf(guarded), 2_000)).rejects.toBeInstanceOf(
      DialFailedError,
    )
    await until(() => !isConnected(guarded, outsider), { message: 'no connection on either side' })
    expect(isConnected(outsider, guarded)).toBe(false)
  })

  it('closeCrossGroupConnections closes open connections that now cross groups', async () => {
    const { gaters, nodes } = await threeNodes()
    const [a, b, c] = nodes as [MeshLibp2p, MeshLibp2p, MeshLibp2p]
    await dialWithTimeout(a, addrOf(b))
    await dialWithTimeout(a, addrOf(c))

    gaters[0]?.partition([[a.peerId, b.peerId], [c.peerId]])
    const closed = await gaters[0]?.closeCrossGroupConnections(a)

    expect(closed).toBe(1)
    await until(() => !isConnected(c, a), { message: 'C to see the connection closed' })
    expect(isConnected(a, c)).toBe(false)
    expect(isConnected(a, b)).toBe(true)
  })
})
