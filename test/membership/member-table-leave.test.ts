/** The member table: members that leave (issue 12.4) and members reported by a peer (12.3). */
import { describe, expect, it } from 'vitest'
import { MemberTable, type HeartbeatPayload } from '../../src/membership/index.js'
import { heartbeatPayload } from '../helpers/heartbeats.js'

const timing = { heartbeatIntervalMs: 100, suspectAfter: 2, deadAfter: 4 }

function hb(changes: Partial<HeartbeatPayload> = {}): HeartbeatPayload {
  return heartbeatPayload({ term: 1, ...changes })
}

describe('MemberTable: leaving', () => {
  it('marks a member left at once on its leaving heartbeat; the detector leaves it be', () => {
    const table = new MemberTable()
    table.observe('a', hb(), 1, 0, 10, 5)
    const result = table.observe('a', hb({ status: 'leaving' }), 1, 50, 10, 6)
    expect(result).toMatchObject({
      accepted: true,
      change: { peerId: 'a', status: 'left', previous: 'alive' },
    })
    expect(table.counts()).toEqual({ alive: 0, suspect: 0, dead: 0, left: 1 })
    // No suspicion wait and no later change: left stays left until dropped.
    expect(table.refresh(10_000, timing)).toEqual([])
    expect(table.nextDeadline(timing)).toBeUndefined()
    expect(table.reap(10_049, 10_000)).toEqual([])
    expect(table.reap(10_050, 10_000)).toEqual(['a'])
  })

  it('an older heartbeat arriving after the leaving one does not bring it back; a restart does', () => {
    const table = new MemberTable()
    table.observe('a', hb(), 1, 0, 10, 5)
    table.observe('a', hb({ status: 'leaving' }), 1, 50, 10, 7)
    // Seq 6 went out before the leaving heartbeat and arrives late through gossip.
    expect(table.observe('a', hb(), 1, 60, 10, 6)).toEqual({ accepted: false, stale: true })
    expect(table.get('a')?.status).toBe('left')
    // Restarted: its sequence numbers start from the clock, above the old ones.
    expect(table.observe('a', hb(), 1, 900, 10, 1_000_000)).toMatchObject({
      change: { status: 'alive', previous: 'left' },
    })
    expect(table.get('a')?.status).toBe('alive')
  })

  it('a left member is not alive for an election and makes room in a full table', () => {
    const table = new MemberTable()
    table.observe('a', hb({ status: 'leaving' }), 1, 0, 2, 1)
    table.observe('b', hb(), 1, 10, 2, 1)
    expect(table.get('a')?.status).toBe('left')
    expect(table.observe('c', hb(), 1, 20, 2, 1)).toMatchObject({ accepted: true, evicted: 'a' })
  })
})

describe('MemberTable: members reported by a peer', () => {
  const reported = (id: string, ageMs: number, changes: Partial<HeartbeatPayload> = {}) => ({
    id,
    ageMs,
    step: 7,
    heartbeat: hb(changes),
  })

  it('dates a reported member by the age the peer gave, so the detector judges it', () => {
    const table = new MemberTable()
    expect(table.adopt(reported('a', 120, { weight: 33 }), 1000, 10, timing)).toMatchObject({
      accepted: true,
      joined: true,
    })
    expect(table.get('a')).toMatchObject({ status: 'alive', lastSeen: 880, weight: 33, step: 7 })
    // Heard 120 ms ago by the peer: suspect after 2.5 intervals from then, not from now.
    expect(table.refresh(1129, timing)).toEqual([])
    expect(table.refresh(1130, timing)).toEqual([
      { peerId: 'a', status: 'suspect', previous: 'alive' },
    ])
  })

  it('takes a member reported late as suspect, and never one the detector finds dead', () => {
    const table = new MemberTable()
    table.adopt(reported('a', 300), 1000, 10, timing)
    expect(table.get('a')?.status).toBe('suspect')
    expect(table.adopt(reported('b', 450), 1000, 10, timing)).toBeUndefined()
    expect(table.has('b')).toBe(false)
  })

  it('never replaces what we heard more recently, nor a member that left', () => {
    const table = new MemberTable()
    table.observe('a', hb({ weight: 1 }), 1, 990, 10, 1)
    expect(table.adopt(reported('a', 50, { weight: 2 }), 1000, 10, timing)).toBeUndefined()
    expect(table.get('a')).toMatchObject({ weight: 1, lastSeen: 990 })
    expect(table.adopt(reported('a', 5, { weight: 3 }), 1000, 10, timing)).toMatchObject({
      accepted: true,
      joined: false,
    })
    expect(table.get('a')).toMatchObject({ weight: 3, lastSeen: 995 })
    table.observe('b', hb({ status: 'leaving' }), 1, 900, 10, 1)
    expect(table.adopt(reported('b', 0), 1000, 10, timing)).toBeUndefined()
    expect(table.get('b')?.status).toBe('left')
    expect(table.adopt(reported('c', 0, { status: 'leaving' }), 1000, 10, timing)).toBeUndefined()
  })
})
