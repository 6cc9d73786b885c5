/** Random choice of a few items, with the randomness injected (pure for tests). */

/** `count` distinct items of `items` at random (partial Fisher–Yates on a copy). */
export function sample<T>(items: readonly T[], count: number, random: () => number): T[] {
  const pool = [...items]
  const n = Math.min(Math.max(0, count), pool.length)
  for (let i = 0; i < n; i++) {
    const j = i + Math.floor(random() * (pool.length - i))
    const swap = pool[i]!
    pool[i] = pool[j]!
    pool[j] = swap
  }
  return pool.slice(0, n)
}
