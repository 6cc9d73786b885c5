/** Heads exchanges with (re)connected peers: one at once, then at most one per gap. */
import { describe, expect, it } from 'vitest'
import { CONNECT_HEADS_GAP_MS } from '../../src/delivery/constants.js'
import { HeadsExchange } from '../../src/delivery/heads-exchange.js'
import { DeliveryLedger } from '../../src/delivery/ledger.js'

function exchange(connected: string[] = []): { heads: HeadsExchange; asked: string[] } {
  const asked: string[] = []
  const heads = new HeadsExchange({
    identity: { peerId: 'self', step: 0 },
    ledger: new DeliveryLedger(),
    now: () => 0,
    random: () => 0,
    request: async (peerId) => {
      asked.push(peerId)
      return await Promise.resolve(undefined)
    },
    connected: () => connected,
  })
  return { heads, asked }
}

describe('HeadsExchange', () => {
  it('asks a connected peer at once, then the last one of a burst when the gap ends', () => {
    const { heads, asked } = exchange()
    heads.connected('a', 1000)
    heads.connected('b', 1100)
    heads.connected('c', 1200)
    expect(asked).toEqual(['a'])
    heads.tick(1000 + CONNECT_HEADS_GAP_MS - 1)
    expect(asked).toEqual(['a'])
    heads.tick(1000 + CONNECT_HEADS_GAP_MS)
    expect(asked).toEqual(['a', 'c'])
    heads.tick(1000 + 3 * CONNECT_HEADS_GAP_MS)
    expect(asked).toEqual(['a', 'c']) // nothing waits
    heads.connected('d', 1000 + 3 * CONNECT_HEADS_GAP_MS)
    expect(asked).toEqual(['a', 'c', 'd'])
  })

  it('asks one connected peer at random every interval besides', () => {
    const { heads, asked } = exchange(['p', 'q'])
    heads.tick(0)
    heads.tick(1)
    expect(asked).toEqual(['p'])
  })
})
