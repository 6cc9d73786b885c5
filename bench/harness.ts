/**
 * What every bench module shares: the module shape the runner expects, timing by a fixed time
 * budget, medians, a garbage collector, and plain-text tables.
 */
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'

/** A target a bench holds a figure against; the runner exits 1 if any fails. */
export interface BenchCheck {
  name: string
  target: string
  actual: string
  passed: boolean
}

export interface BenchModule {
  /** Short name, used by the filter: `npm run bench -- <name>`. */
  name: string
  title: string
  run(ctx: BenchContext): Promise<BenchCheck[]>
}

export interface BenchContext {
  log(line?: string): void
  /** A full garbage collection (global.gc when node runs with --expose-gc, else enabled here). */
  gc(): void
}

/** `global.gc`, or V8's gc enabled at run time (tsx is started without --expose-gc by npm run bench). */
export function garbageCollector(): () => void {
  const exposed = (globalThis as { gc?: () => void }).gc
  if (typeof exposed === 'function') return exposed
  setFlagsFromString('--expose-gc')
  return runInNewContext('gc') as () => void
}

/** Operations per second of `op`, run in batches until `budgetMs` has passed. */
export function opsPerSecond(budgetMs: number, op: (i: number) => void, batch = 256): number {
  const start = performance.now()
  const deadline = start + budgetMs
  let ops = 0
  let now = start
  while (now < deadline) {
    for (let k = 0; k < batch; k++) op(ops + k)
    ops += batch
    now = performance.now()
  }
  return ops / ((now - start) / 1000)
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = sorted.length >> 1
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2
}

/** Columns after the first `leftColumns` are right-aligned (numbers); a rule under the header. */
export function table(header: string[], rows: string[][], leftColumns = 1): string[] {
  const widths = header.map((h, i) =>
    Math.max(h.length, ...rows.map((row) => (row[i] ?? '').length)),
  )
  const line = (cells: string[]): string =>
    cells
      .map((cell, i) => (i < leftColumns ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!)))
      .join('  ')
      .trimEnd()
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)]
}

export function formatOps(opsPerSec: number): string {
  return Math.round(opsPerSec).toLocaleString('en-US')
}

export function formatMiB(bytes: number): string {
  return (bytes / 1024 / 1024).toFixed(1)
}
