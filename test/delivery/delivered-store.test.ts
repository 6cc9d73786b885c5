import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import {
  DeliveryLedger,
  FileDeliveredStore,
  MemoryDeliveredStore,
  parseSnapshot,
} from '../../src/delivery/index.js'

describe('DeliveryLedger snapshot', () => {
  it('restored, it dedups what was delivered and sees a gap above the newest at once', () => {
    const before = new DeliveryLedger()
    for (const seq of [1, 2, 3, 5, 6]) before.admit('a', seq, 0)
    before.admit('b', 100, 0)
    const after = new DeliveryLedger()
    after.restore(before.snapshot(10, 10), 1000)
    expect(after.admit('a', 2, 1000).fresh).toBe(false)
    expect(after.admit('b', 100, 1000).fresh).toBe(false)
    // 4 was never delivered: it still may be.
    expect(after.admit('a', 4, 1000).fresh).toBe(true)
    // Frames sent while this node was down: 7…9 are missing as soon as 10 arrives.
    expect(after.admit('a', 10, 1000)).toEqual({ fresh: true, jump: false })
    expect(after.ripe('a', 1300, 200, 100, 10)).toEqual([[7, 9]])
  })

  it('keeps the most recently heard senders and the newest ranges of each', () => {
    const ledger = new DeliveryLedger()
    for (const seq of [1, 3, 5, 7]) ledger.admit('old', seq, 0)
    ledger.admit('new', 1, 0)
    const snapshot = ledger.snapshot(1, 2)
    expect(snapshot).toEqual({ v: 1, senders: [{ sender: 'new', floor: -1, ranges: [[1, 1]] }] })
    expect(ledger.snapshot(2, 2).senders[1]).toEqual({
      sender: 'old',
      floor: -1,
      ranges: [
        [5, 5],
        [7, 7],
      ],
    })
    // Left out means never delivered: delivered again if a peer keeps it (at-least-once).
    const restored = new DeliveryLedger()
    restored.restore(ledger.snapshot(2, 2), 0)
    expect(restored.admit('old', 3, 0).fresh).toBe(true)
    expect(restored.admit('old', 5, 0).fresh).toBe(false)
  })

  it('counts changes, so a snapshot is saved only when something was delivered', () => {
    const ledger = new DeliveryLedger()
    const start = ledger.changes
    ledger.admit('a', 1, 0)
    ledger.admit('a', 1, 0) // a copy: nothing new
    expect(ledger.changes).toBe(start + 1)
  })
})

describe('parseSnapshot', () => {
  it.each([
    [null, 'not an object'],
    [{ v: 2, senders: [] }, 'unknown version 2'],
    [{ v: 1, senders: {} }, 'senders is not a list'],
    [
      { v: 1, senders: [{ sender: '', floor: 0, ranges: [] }] },
      'senders[0].sender is not a peer id',
    ],
    [
      { v: 1, senders: [{ sender: 'a', floor: 1.5, ranges: [] }] },
      'senders[0].floor is not a sequence number',
    ],
    [
      { v: 1, senders: [{ sender: 'a', floor: 5, ranges: [[3, 4]] }] },
      'senders[0].ranges must be ascending, disjoint [lo, hi] pairs above floor',
    ],
    [
      {
        v: 1,
        senders: [
          {
            sender: 'a',
            floor: -1,
            ranges: [
              [3, 4],
              [4, 6],
            ],
          },
        ],
      },
      'senders[0].ranges must be ascending, disjoint [lo, hi] pairs above floor',
    ],
  ])('refuses %j: %s', (value, reason) => {
    expect(parseSnapshot(value)).toBe(reason)
  })

  it('takes a good one as it is', () => {
    const good = {
      v: 1,
      senders: [
        {
          sender: 'a',
          floor: 2,
          ranges: [
            [3, 4],
            [6, 6],
          ],
        },
      ],
    }
    expect(parseSnapshot(good)).toEqual(good)
  })
})

describe('FileDeliveredStore', () => {
  const dirs: string[] = []
  afterEach(async () => {
    await Promise.all(dirs.splice(0).map(async (d) => await rm(d, { recursive: true })))
  })

  it('saves and loads; none yet is undefined; a corrupt file is refused naming it', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'pm-delivered-'))
    dirs.push(dir)
    const store = new FileDeliveredStore(dir)
    expect(store.load()).toBeUndefined()
    const snapshot = {
      v: 1 as const,
      senders: [{ sender: 'a', floor: -1, ranges: [[1, 9]] as Array<[number, number]> }],
    }
    await store.save(snapshot)
    expect(store.load()).toEqual(snapshot)
    await writeFile(store.path, '{"v":1,')
    expect(() => store.load()).toThrow(`${store.path}: not JSON`)
    await writeFile(store.path, '{"v":7,"senders":[]}')
    expect(() => store.load()).toThrow(`${store.path}: unknown version 7`)
  })

  it('in memory: the same contract', async () => {
    const store = new MemoryDeliveredStore()
    expect(store.load()).toBeUndefined()
    await store.save({ v: 1, senders: [] })
    expect(store.load()).toEqual({ v: 1, senders: [] })
  })
})
