import { describe, expect, it } from 'vitest'
import {
  EpisodeMemory,
  MemoryRoleStateStore,
  RoleStateWriter,
  type PersistedRoleState,
} from '../../src/roles/index.js'

function state(term: number): PersistedRoleState {
  return { version: 1, term, principal: null, principalWeight: 0, roles: ['member'], savedAt: 0 }
}

describe('RoleStateWriter', () => {
  it('writes one at a time, in order, so an older state never lands last', async () => {
    const store = new MemoryRoleStateStore()
    const landed: number[] = []
    store.save = async (s) => {
      // The first write is the slowest.
      await new Promise((resolve) => setTimeout(resolve, s.term === 1 ? 20 : 0))
      landed.push(s.term)
    }
    const writer = new RoleStateWriter(store)
    await Promise.all([writer.write(state(1)), writer.write(state(2)), writer.write(state(3))])
    expect(landed).toEqual([1, 2, 3])
  })

  it('rejects a failed write, counts it, and goes on with the next', async () => {
    const store = new MemoryRoleStateStore()
    let fail = true
    const save = store.save.bind(store)
    store.save = async (s) => {
      if (fail) throw new Error('disk full')
      await save(s)
    }
    const writer = new RoleStateWriter(store)
    await expect(writer.write(state(1))).rejects.toThrow('disk full')
    fail = false
    await writer.write(state(2))
    await writer.idle()
    expect(writer.failures).toBe(1)
    expect(store.current?.term).toBe(2)
  })

  it('without a store, writes nothing and never fails', async () => {
    await new RoleStateWriter(undefined).write(state(1))
  })
})

describe('EpisodeMemory', () => {
  it('says "first time" once per key, and forgets the oldest beyond its size', () => {
    const memory = new EpisodeMemory(2)
    expect([memory.firstTime('a'), memory.firstTime('a')]).toEqual([true, false])
    memory.firstTime('b')
    memory.firstTime('c')
    expect(memory.firstTime('a')).toBe(true)
    expect(memory.firstTime('c')).toBe(false)
  })
})
