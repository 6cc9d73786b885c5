/**
 * bindGraylistDrops on a stand-in with gossipsub's two methods (the real one is exercised in
 * test/observer/reports-mesh.test.ts): RPCs refused by acceptFrom are counted with their
 * messages, accepted ones and control-only RPCs are not, and the undo restores both methods.
 */
import { describe, expect, it } from 'vitest'
import { bindGraylistDrops } from '../../src/net/graylist-drops.js'

class FakeGossipsub {
  graylisted = new Set<string>()
  handled = 0
  acceptFrom(id: string): boolean {
    return !this.graylisted.has(id)
  }

  async handleReceivedRpc(
    from: { toString(): string },
    _rpc: { messages?: unknown[] },
  ): Promise<void> {
    if (!this.acceptFrom(from.toString())) return
    await Promise.resolve()
    this.handled++
  }
}

describe('bindGraylistDrops', () => {
  it('counts the messages of RPCs dropped from graylisted peers, and undoes', async () => {
    const pubsub = new FakeGossipsub()
    pubsub.graylisted.add('bad')
    const drops: Array<[string, number]> = []
    const undo = bindGraylistDrops(pubsub, (peer, n) => drops.push([peer, n]))
    await pubsub.handleReceivedRpc('bad', { messages: [1, 2, 3] })
    await pubsub.handleReceivedRpc('bad', { messages: [] }) // control only: IHAVE, GRAFT…
    await pubsub.handleReceivedRpc('good', { messages: [1] })
    expect(pubsub.acceptFrom('bad')).toBe(false) // a call outside an RPC counts nothing
    expect(drops).toEqual([['bad', 3]])
    expect(pubsub.handled).toBe(1)
    undo()
    expect(Object.hasOwn(pubsub, 'acceptFrom')).toBe(false)
    expect(Object.hasOwn(pubsub, 'handleReceivedRpc')).toBe(false)
    await pubsub.handleReceivedRpc('bad', { messages: [1] })
    expect(drops).toHaveLength(1)
  })

  it('is a no-op for something that is not gossipsub', () => {
    expect(() => bindGraylistDrops({}, () => undefined)()).not.toThrow()
  })
})
