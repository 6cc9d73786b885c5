import { describe, expect, it } from 'vitest'
import { ScenarioError, TIMELINE_ACTIONS, parseScenario } from '../../src/sim/index.js'
import { memberIndex } from '../../src/sim/scenario.js'

const base = { name: 'tiny', duration: 5, nodes: { count: 3, observers: 2 } }

function refusal(timeline: unknown[]): string {
  try {
    parseScenario({ ...base, timeline }, 'scenario x.json')
  } catch (err) {
    expect(err).toBeInstanceOf(ScenarioError)
    return (err as Error).message
  }
  throw new Error('accepted')
}

describe('timeline actions', () => {
  it('an unknown action is named, with the valid ones', () => {
    expect(refusal([{ at: 1, action: 'explode' }])).toBe(
      'scenario x.json: timeline[0]: unknown action "explode" (valid: kill, restart, partition, heal, weight, advice, attack)',
    )
    expect(TIMELINE_ACTIONS).toEqual([
      'kill',
      'restart',
      'partition',
      'heal',
      'weight',
      'advice',
      'attack',
    ])
  })

  it("a known action's errors are about its own fields", () => {
    expect(refusal([{ at: 1, action: 'kill' }])).toBe(
      'scenario x.json: timeline[0]: missing field "node"',
    )
    expect(refusal([{ at: 1, action: 'heal', node: 1 }])).toBe(
      'scenario x.json: timeline[0]: unknown field "node"',
    )
    expect(refusal([{ at: 1 }])).toMatch(/timeline\[0\]: missing field "action"/)
  })
})

describe('observers in partition groups', () => {
  it('are named obs0, obs1…: the indices after the members', () => {
    const scenario = parseScenario(
      {
        ...base,
        timeline: [
          {
            at: 1,
            action: 'partition',
            groups: [
              [0, 1, 'obs0'],
              [2, 'obs1'],
            ],
          },
        ],
      },
      'test',
    )
    const action = scenario.timeline[0]!
    expect(
      action.action === 'partition' && action.groups.map((g) => g.map((r) => memberIndex(r, 3))),
    ).toEqual([
      [0, 1, 3],
      [2, 4],
    ])
  })

  it('follow --nodes: obs0 comes right after the last member', () => {
    const scenario = parseScenario(
      { ...base, timeline: [{ at: 1, action: 'partition', groups: [[0, 'obs1'], [1]] }] },
      'test',
      { nodes: 10 },
    )
    const action = scenario.timeline[0]!
    expect(action.action === 'partition' && memberIndex(action.groups[0]![1]!, 10)).toBe(11)
  })

  it.each([
    [[[0, 'obs2'], [1]], /timeline\[0\]: observer obs2 does not exist \(observers: obs0\.\.obs1\)/],
    [
      [[0, 'observer'], [1]],
      /timeline\[0\]\.groups\[0\]\[1\] must be a node index or an observer name/,
    ],
    [
      [
        [0, 'obs0'],
        [1, 'obs0'],
      ],
      /timeline\[0\]: obs0 is in two partition groups/,
    ],
    [
      [
        [0, 1],
        [1, 2],
      ],
      /timeline\[0\]: 1 is in two partition groups/,
    ],
  ])('refuses %j naming what is wrong', (groups, message) => {
    expect(refusal([{ at: 1, action: 'partition', groups }])).toMatch(message)
  })

  it('refuses an observer in a scenario without observers', () => {
    expect(() =>
      parseScenario(
        {
          name: 'x',
          duration: 5,
          nodes: { count: 3 },
          timeline: [{ at: 1, action: 'partition', groups: [[0, 'obs0'], [1]] }],
        },
        'scenario x.json',
      ),
    ).toThrow(/observer obs0 does not exist \(the scenario has no observers\)/)
  })
})
