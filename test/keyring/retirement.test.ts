/** `remove` waits `retentionMs` after a key stopped being the primary (retirement.ts). */
import { describe, expect, it } from 'vitest'
import { PrimaryRetirements } from '../../src/keyring/retirement.js'

describe('PrimaryRetirements', () => {
  const cases: Array<{
    what: string
    switches: Array<[string, string, number]>
    id: string
    now: number
    retentionMs: number
    wait: number
  }> = [
    {
      what: 'never the primary here',
      switches: [],
      id: 'aaaaaaaa',
      now: 5,
      retentionMs: 60_000,
      wait: 0,
    },
    {
      what: 'just retired',
      switches: [['aaaaaaaa', 'bbbbbbbb', 1000]],
      id: 'aaaaaaaa',
      now: 1000,
      retentionMs: 60_000,
      wait: 60_000,
    },
    {
      what: 'retired 59 s ago',
      switches: [['aaaaaaaa', 'bbbbbbbb', 1000]],
      id: 'aaaaaaaa',
      now: 60_000,
      retentionMs: 60_000,
      wait: 1000,
    },
    {
      what: 'retired retentionMs ago',
      switches: [['aaaaaaaa', 'bbbbbbbb', 1000]],
      id: 'aaaaaaaa',
      now: 61_000,
      retentionMs: 60_000,
      wait: 0,
    },
    {
      what: 'retention off',
      switches: [['aaaaaaaa', 'bbbbbbbb', 1000]],
      id: 'aaaaaaaa',
      now: 1000,
      retentionMs: 0,
      wait: 0,
    },
    {
      what: 'the new primary is not waited for',
      switches: [['aaaaaaaa', 'bbbbbbbb', 1000]],
      id: 'bbbbbbbb',
      now: 1000,
      retentionMs: 60_000,
      wait: 0,
    },
    {
      what: 'back and forth: the latest retirement counts',
      switches: [
        ['aaaaaaaa', 'bbbbbbbb', 1000],
        ['bbbbbbbb', 'aaaaaaaa', 2000],
        ['aaaaaaaa', 'bbbbbbbb', 30_000],
      ],
      id: 'aaaaaaaa',
      now: 30_000,
      retentionMs: 60_000,
      wait: 60_000,
    },
    {
      what: 'primary again: nothing to wait for once retired before',
      switches: [
        ['aaaaaaaa', 'bbbbbbbb', 1000],
        ['bbbbbbbb', 'aaaaaaaa', 2000],
      ],
      id: 'aaaaaaaa',
      now: 2000,
      retentionMs: 60_000,
      wait: 0,
    },
  ]
  it.each(cases)('$what: wait $wait ms', ({ switches, id, now, retentionMs, wait }) => {
    const r = new PrimaryRetirements()
    for (const [before, after, at] of switches) r.switched(before, after, at)
    expect(r.waitMs(id, now, retentionMs)).toBe(wait)
  })

  it('refuses with KEY_RECENTLY_PRIMARY, when to retry and why', () => {
    const r = new PrimaryRetirements()
    r.switched('aaaaaaaa', 'bbbbbbbb', 1000)
    expect(() => r.assertRemovable('aaaaaaaa', 11_000, 60_000)).toThrow(
      expect.objectContaining({
        code: 'KEY_RECENTLY_PRIMARY',
        retryAfterMs: 50_000,
        message:
          'key aaaaaaaa was the primary 10 s ago: frames stamped under it are kept for repair for retentionMs (60000 ms); remove it in 50 s',
      }),
    )
    expect(() => r.assertRemovable('aaaaaaaa', 61_000, 60_000)).not.toThrow()
  })
})
