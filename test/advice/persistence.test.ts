/** Restoring state from the log, and compaction: live records kept, long-expired ones dropped. */
import { describe, expect, it } from 'vitest'
import { AdviceApplier } from '../../src/advice/applier.js'
import { compactIfDue, restore } from '../../src/advice/persistence.js'
import { AdviceState } from '../../src/advice/state.js'
import { MemoryAdviceStore, type Advice, type AdviceRecord } from '../../src/advice/index.js'

function applier(): AdviceApplier {
  return new AdviceApplier({
    node: { config: { stepWindow: 2 } as never, applyConfig: () => undefined },
    roles: undefined,
    logger: undefined,
    handlers: [],
    updates: new Map(),
    eligible: { value: true },
  })
}

function advice(i: number, expiry: number): Advice {
  return {
    id: `a${i}`,
    type: 'UPDATE',
    target: ['*'],
    payload: { key: `k${i}`, value: i },
    expiry,
    issuer: 'P',
    origin: 'P',
    term: 1,
    step: 1,
    issuedAt: i,
    keys: [`update:k${i}`],
    version: { [`update:k${i}`]: { P: i + 1 } },
    resolved: ['S'],
  }
}

describe('advice persistence', () => {
  it('restores held advice, results and candidates, and lists what was never answered', async () => {
    const store = new MemoryAdviceStore()
    store.records = [
      { t: 'advice', advice: advice(1, Date.now() + 60_000) },
      { t: 'advice', advice: advice(2, Date.now() + 60_000) },
      { t: 'result', result: { adviceId: 'a1', target: 'S', status: 'accepted', at: 1 } },
      { t: 'baseline', key: 'update:k1', value: null },
    ]
    const state = new AdviceState()
    const a = applier()
    const unanswered = await restore(store, state, a, 'S')
    expect(state.advice.size).toBe(2)
    expect(unanswered.map((x) => x.id)).toEqual(['a2'])
    expect(a.winner('update:k1')).toBe('a1')
    expect(a.target.updates.get('k1')?.value).toBe(1)
  })

  it('compacts a log of duplicates and long-expired advice down to the live records', async () => {
    const now = Date.now()
    const live: AdviceRecord[] = Array.from({ length: 400 }, (_, i) => ({
      t: 'advice' as const,
      advice: advice(i, now + 60_000),
    }))
    const old: AdviceRecord[] = Array.from({ length: 400 }, (_, i) => ({
      t: 'advice' as const,
      advice: advice(1000 + i, now - 2 * 3600_000),
    }))
    const store = new MemoryAdviceStore()
    store.records = [...live, ...old, ...live, ...live]
    const state = new AdviceState()
    const a = applier()
    await restore(store, state, a, 'nobody')
    expect(store.lines).toBe(1600)
    await compactIfDue(store, state, a, now)
    expect(store.lines).toBe(400)
    expect(state.advice.size).toBe(400)
    expect(state.advice.has('a1000')).toBe(false)
  })
})
