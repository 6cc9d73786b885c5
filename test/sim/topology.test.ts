import { describe, expect, it } from 'vitest'
import { topologyEdges } from '../../src/sim/topology.js'

function connected(count: number, edges: Array<[number, number]>): boolean {
  const seen = new Set([0])
  const queue = [0]
  while (queue.length > 0) {
    const a = queue.shift()!
    for (const [x, y] of edges) {
      const b = x === a ? y : y === a ? x : -1
      if (b >= 0 && !seen.has(b)) {
        seen.add(b)
        queue.push(b)
      }
    }
  }
  return seen.size === count
}

describe('topologyEdges', () => {
  it('makes a full mesh', () => {
    expect(topologyEdges(4, { kind: 'full' }, 1)).toEqual([
      [0, 1],
      [0, 2],
      [0, 3],
      [1, 2],
      [1, 3],
      [2, 3],
    ])
  })

  it.each([
    [10, 3],
    [100, 6],
    [50, 2],
  ])(
    'gives %i nodes at least %i neighbours each, connected, the same for a seed',
    (count, peers) => {
      const edges = topologyEdges(count, { kind: 'random', peers }, 7)
      const degree = new Array<number>(count).fill(0)
      for (const [a, b] of edges) {
        degree[a]!++
        degree[b]!++
      }
      expect(Math.min(...degree)).toBeGreaterThanOrEqual(peers)
      expect(connected(count, edges)).toBe(true)
      expect(topologyEdges(count, { kind: 'random', peers }, 7)).toEqual(edges)
      expect(edges.length).toBeLessThan((count * (count - 1)) / 2)
    },
  )
})
