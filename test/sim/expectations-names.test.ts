import { describe, expect, it } from 'vitest'
import { computeFigures, evaluate, type RunRecord } from '../../src/sim/expectations.js'
import { Recorder } from '../../src/sim/recorder.js'

/** Three members and an observer; every member names `principal` at the end. */
function recordNaming(principal: string): RunRecord {
  const recorder = new Recorder()
  const zero = recorder.startedAt + 1_000
  const members = ['12D3KooWAAAAAAAA', '12D3KooWBBBBBBBB', '12D3KooWCCCCCCCC', '12D3KooWOOOOOOOO']
  for (let i = 0; i < 3; i++) recorder.principal(i, principal, zero)
  return {
    recorder,
    members: members.map((peerId, index) => ({ index, peerId, observer: index === 3 })),
    attacks: [],
    life: [],
    endAt: zero + 5_000,
    formMs: 1_000,
    timelineStartAt: zero,
    advice: [],
  }
}

describe('singlePrincipal in the report', () => {
  it.each([
    ['12D3KooWBBBBBBBB', /^one: n1 \(…BBBBBBBB\)$/],
    ['12D3KooWZZZZZZZZ', /^one: ZZZZZZZZ \(…ZZZZZZZZ\)$/],
  ])('names %s as the scenario does', (principal, actual) => {
    const record = recordNaming(principal)
    const [row] = evaluate({ singlePrincipal: true }, record, computeFigures(record))
    expect(row).toMatchObject({ name: 'singlePrincipal', passed: true })
    expect(row!.actual).toMatch(actual)
  })
})
