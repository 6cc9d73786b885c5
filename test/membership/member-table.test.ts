import { describe, expect, it } from 'vitest'
import { MemberTable, type HeartbeatPayload } from '../../src/membership/index.js'
import { heartbeatPayload } from '../helpers/heartbeats.js'

const timing = { heartbeatIntervalMs: 100, suspectAfter: 2, deadAfter: 4 }

function hb(changes: Partial<HeartbeatPayload> = {}): HeartbeatPayload {
  return heartbeatPayload({ term: 1, ...changes })
}

describe('MemberTable', () => {
  it('records a new member with the Actor fields and the claim it carries', () => {
    const table = new MemberTable()
    const result = table.observe(
      'a',
      hb({ metadata: { nodeId: 'n1' }, principal: 'p', principalWeight: 7 }),
      42,
      1000,
      10,
    )
    expect(result).toMatchObject({ accepted: true, joined: true })
    expect(table.get('a')).toMatchObject({
      id: 'a',
      status: 'alive',
      weight: 10,
      lastSeen: 1000,
      roles: ['member'],
      version: '1.0.0',
      metadata: { nodeId: 'n1' },
      step: 42,
      term: 1,
      principal: 'p',
      principalWeight: 7,
      observer: false,
      eligible: true,
      activity: 'active',
      heartbeats: 1,
    })
  })

  it('runs the detector: suspect, then dead; a heartbeat refutes either', () => {
    const table = new MemberTable()
    table.observe('a', hb(), 1, 0, 10)
    table.observe('b', hb(), 1, 0, 10)
    expect(table.refresh(249, timing)).toEqual([])
    expect(table.refresh(250, timing)).toEqual([
      { peerId: 'a', status: 'suspect', previous: 'alive' },
      { peerId: 'b', status: 'suspect', previous: 'alive' },
    ])
    const refuted = table.observe('a', hb(), 2, 300, 10)
    expect(refuted).toMatchObject({
      accepted: true,
      joined: false,
      change: { peerId: 'a', status: 'alive', previous: 'suspect' },
    })
    expect(table.refresh(450, timing)).toEqual([
      { peerId: 'b', status: 'dead', previous: 'suspect' },
    ])
    expect(table.counts()).toEqual({ alive: 1, suspect: 0, dead: 1, left: 0 })
    expect(table.observe('b', hb(), 3, 500, 10)).toMatchObject({
      change: { status: 'alive', previous: 'dead' },
    })
  })

  it("does not count a pause of this node's as members' silence, up to one dead period", () => {
    const table = new MemberTable()
    table.observe('a', hb(), 1, 0, 10)
    table.observe('b', hb(), 1, 0, 10)
    // This node could not listen from 40 to 240: a and b were due to be heard meanwhile.
    table.excusePause(200, 240, timing)
    expect(table.refresh(250, timing)).toEqual([])
    expect(table.nextDeadline(timing)).toBe(450)
    // a is heard: its next silence counts in full again.
    table.observe('a', hb(), 2, 300, 10)
    expect(table.refresh(449, timing)).toEqual([])
    expect(table.refresh(550, timing)).toEqual([
      { peerId: 'a', status: 'suspect', previous: 'alive' },
      { peerId: 'b', status: 'suspect', previous: 'alive' },
    ])
    // A pause however long excuses one dead period at most: a dead member is still found.
    const c = new MemberTable()
    c.observe('c', hb(), 1, 0, 10)
    c.excusePause(60_000, 60_000, timing)
    expect(c.refresh(60_000, timing)).toEqual([{ peerId: 'c', status: 'dead', previous: 'alive' }])
  })

  it('a member straight from alive to dead (a long pause) goes dead in one step', () => {
    const table = new MemberTable()
    table.observe('a', hb(), 1, 0, 10)
    expect(table.refresh(1000, timing)).toEqual([
      { peerId: 'a', status: 'dead', previous: 'alive' },
    ])
  })

  it('reports a weight different from the previous heartbeat', () => {
    const table = new MemberTable()
    table.observe('a', hb({ weight: 10 }), 1, 0, 10)
    expect(table.observe('a', hb({ weight: 10 }), 1, 10, 10)).not.toHaveProperty('weightChange')
    expect(table.observe('a', hb({ weight: 25 }), 1, 20, 10)).toMatchObject({
      weightChange: { previous: 10 },
    })
  })

  it('is bounded: a full table drops its longest-dead member, or refuses the newcomer', () => {
    const table = new MemberTable()
    table.observe('a', hb(), 1, 0, 2)
    table.observe('b', hb(), 1, 100, 2)
    expect(table.observe('c', hb(), 1, 200, 2)).toEqual({ accepted: false })
    expect(table.has('c')).toBe(false)
    table.refresh(1000, timing)
    expect(table.observe('c', hb(), 1, 1000, 2)).toMatchObject({ accepted: true, evicted: 'a' })
    expect(table.list().map((m) => m.id)).toEqual(['b', 'c'])
    expect(table.size).toBe(2)
  })

  it('reaps members dead for the retention period', () => {
    const table = new MemberTable()
    table.observe('a', hb(), 1, 0, 10)
    table.observe('b', hb(), 1, 900, 10)
    table.refresh(1000, timing)
    expect(table.reap(1000, 5000)).toEqual([])
    expect(table.reap(5000, 5000)).toEqual(['a'])
    expect(table.has('a')).toBe(false)
  })

  it('hands out copies: changing a snapshot changes nothing', () => {
    const table = new MemberTable()
    table.observe('a', hb({ roles: ['member'] }), 1, 0, 10)
    const snapshot = table.get('a')!
    snapshot.roles.push('principal')
    snapshot.weight = 99
    expect(table.get('a')).toMatchObject({ roles: ['member'], weight: 10 })
  })
})

describe('MemberTable: what an election reads', () => {
  it('flags a heartbeat that changes weight, eligibility, activity or observer, not others', () => {
    const table = new MemberTable()
    expect(table.observe('a', hb(), 1, 1000, 10)).toMatchObject({ electionChanged: true })
    expect(table.observe('a', hb({ termAgeMs: 50 }), 2, 1100, 10)).toMatchObject({
      electionChanged: false,
    })
    for (const change of [
      { weight: 11 },
      { eligible: false },
      { status: 'inactive' as const },
      { observer: true },
    ]) {
      const other = new MemberTable()
      other.observe('a', hb(), 1, 1000, 10)
      expect(other.observe('a', hb(change), 2, 1100, 10)).toMatchObject({ electionChanged: true })
    }
  })

  it('view() reads the live entries without copying', () => {
    const table = new MemberTable()
    table.observe('a', hb(), 1, 1000, 10)
    table.observe('b', hb({ weight: 3 }), 1, 1000, 10)
    expect([...table.view()].map((m) => [m.id, m.weight])).toEqual([
      ['a', 10],
      ['b', 3],
    ])
  })
})
