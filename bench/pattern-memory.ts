/**
 * Memory stays flat however many steps a node sees: the PatternCache is a bounded LRU
 * (DESIGN §2). One generator with cacheSize 1000 walks 10^6 distinct steps; RSS and heap are
 * read after a full GC at a few points.
 *
 * RSS first climbs to the runtime's working set (V8 new space, malloc arenas of OpenSSL's
 * HMAC and key objects): bare createHmac calls in a loop, with no cache at all, climb to the
 * same ~130 MiB on Node 20 within a few 10^5 calls and then stay. So flatness is judged where
 * growth would be a leak: RSS over the second half (5×10^5 → 10^6) and the JS heap, where the
 * cache lives, from the first full cache (10^5) to the end.
 */
import { randomBytes } from 'node:crypto'
import { PatternGenerator } from '../src/pattern/index.js'
import { formatMiB, table, type BenchContext, type BenchModule } from './harness.js'

const CACHE_SIZE = 1000
const CHECKPOINTS = [0, 100_000, 500_000, 1_000_000]
/** Growth that still counts as flat: RSS over 5×10^5 → 10^6 steps, heap over 10^5 → 10^6. */
const FLAT_RSS_BYTES = 8 * 1024 * 1024
const FLAT_HEAP_BYTES = 1024 * 1024

export const patternMemoryBench: BenchModule = {
  name: 'pattern-memory',
  title: `PatternGenerator memory over 10^6 distinct steps (cacheSize ${CACHE_SIZE})`,
  async run(ctx: BenchContext) {
    const generator = new PatternGenerator({ key: randomBytes(32), cacheSize: CACHE_SIZE })
    const rows: string[][] = []
    const samples: Sample[] = []
    const started = performance.now()
    let step = 0
    for (const checkpoint of CHECKPOINTS) {
      for (; step < checkpoint; step++) generator.value(step)
      ctx.gc()
      ctx.gc()
      const { rss, heapUsed } = process.memoryUsage()
      samples.push({ rss, heap: heapUsed })
      const stats = generator.cacheStats()
      rows.push([
        checkpoint.toLocaleString('en-US'),
        formatMiB(rss),
        formatMiB(heapUsed),
        String(stats.size),
        stats.evictions.toLocaleString('en-US'),
      ])
    }
    const seconds = (performance.now() - started) / 1000
    for (const line of table(['steps', 'RSS MiB', 'heap MiB', 'cache size', 'evictions'], rows))
      ctx.log(line)

    const [, fullCache, half, last] = samples as [Sample, Sample, Sample, Sample]
    const rssGrowth = last.rss - half.rss
    const heapGrowth = last.heap - fullCache.heap
    const flat = rssGrowth <= FLAT_RSS_BYTES && heapGrowth <= FLAT_HEAP_BYTES
    ctx.log()
    ctx.log(
      'RSS first climbs to the runtime working set (bare createHmac loops do the same, cache or',
    )
    ctx.log(
      'not); a leak would show as growth over the second half, or in the heap where the cache lives.',
    )
    ctx.log(
      `RSS 5×10^5 → 10^6 steps ${sign(rssGrowth)}${formatMiB(rssGrowth)} MiB, heap 10^5 → 10^6 ${sign(heapGrowth)}${formatMiB(heapGrowth)} MiB` +
        ` (${(CHECKPOINTS[CHECKPOINTS.length - 1]! / seconds).toLocaleString('en-US', { maximumFractionDigits: 0 })} steps/s)` +
        `   ${flat ? 'flat: PASS' : 'NOT flat: FAIL'}`,
    )
    return [
      {
        name: 'memory flat over 10^6 steps',
        target: `RSS(2nd half) +≤ ${formatMiB(FLAT_RSS_BYTES)} MiB, heap +≤ ${formatMiB(FLAT_HEAP_BYTES)} MiB`,
        actual: `RSS ${sign(rssGrowth)}${formatMiB(rssGrowth)}, heap ${sign(heapGrowth)}${formatMiB(heapGrowth)}`,
        passed: flat,
      },
    ]
  },
}

interface Sample {
  rss: number
  heap: number
}

function sign(n: number): string {
  return n >= 0 ? '+' : ''
}
