import { mulberry32 } from '../util/prng.js'

/** Undirected edges [a, b] with a < b: who dials whom when the mesh forms. */
export type Edge = [number, number]

/**
 * Full mesh, or `peers` random neighbours per node (deterministic for a seed). The random
 * graph starts from a ring, so it is always connected, then adds random edges until every
 * node has at least `peers` neighbours.
 */
export function topologyEdges(
  count: number,
  topology: { kind: 'full' } | { kind: 'random'; peers: number },
  seed: number,
): Edge[] {
  const edges = new Set<string>()
  const add = (a: number, b: number): void => {
    if (a !== b) edges.add(a < b ? `${a},${b}` : `${b},${a}`)
  }
  if (topology.kind === 'full') {
    for (let a = 0; a < count; a++) for (let b = a + 1; b < count; b++) add(a, b)
  } else if (count > 1) {
    const random = mulberry32(seed)
    for (let a = 0; a < count; a++) add(a, (a + 1) % count)
    const degree = new Array<number>(count).fill(0)
    for (const key of edges) for (const n of key.split(',')) degree[Number(n)]!++
    for (let a = 0; a < count; a++) {
      for (let tries = 0; degree[a]! < topology.peers && tries < count * 4; tries++) {
        const b = Math.floor(random() * count)
        const key = a < b ? `${a},${b}` : `${b},${a}`
        if (b === a || edges.has(key)) continue
        edges.add(key)
        degree[a]!++
        degree[b]!++
      }
    }
  }
  return [...edges]
    .map((key) => key.split(',').map(Number) as Edge)
    .sort((x, y) => x[0] - y[0] || x[1] - y[1])
}
