/**
 * Small helpers for the services' Prometheus metrics (prom-client). Every service registers
 * its metrics in the registry of its peer (never prom-client's global one); counters that
 * mirror a service's `stats()` are set when scraped, so nothing is counted twice.
 */
import { Counter, Gauge, type Registry } from 'prom-client'

/** A counter whose value is `read()` at scrape time (a total the service keeps anyway). */
export function mirrorCounter(registry: Registry, name: string, help: string, read: () => number) {
  const counter: Counter = new Counter({
    name,
    help,
    registers: [registry],
    collect: () => {
      counter.reset()
      counter.inc(Math.max(0, read()))
    },
  })
  return counter
}

/** A counter with one label, every value of `values` set from `read()` at scrape time. */
export function mirrorLabelledCounter<L extends string>(
  registry: Registry,
  name: string,
  help: string,
  label: L,
  read: () => Record<string, number>,
) {
  const counter: Counter<L> = new Counter({
    name,
    help,
    labelNames: [label],
    registers: [registry],
    collect: () => {
      counter.reset()
      for (const [value, count] of Object.entries(read())) {
        counter.inc({ [label]: value } as Record<L, string>, Math.max(0, count))
      }
    },
  })
  return counter
}

/** A gauge set from `read()` at scrape time. */
export function readGauge(registry: Registry, name: string, help: string, read: () => number) {
  const gauge: Gauge = new Gauge({
    name,
    help,
    registers: [registry],
    collect: () => gauge.set(read()),
  })
  return gauge
}

/** A gauge with one label, set for each of `values` (0 when `read()` has none) at scrape time. */
export function readLabelledGauge<L extends string>(
  registry: Registry,
  name: string,
  help: string,
  label: L,
  values: readonly string[],
  read: () => Record<string, number>,
) {
  const gauge: Gauge<L> = new Gauge({
    name,
    help,
    labelNames: [label],
    registers: [registry],
    collect: () => {
      const counts = read()
      gauge.reset()
      for (const value of new Set([...values, ...Object.keys(counts)])) {
        gauge.set({ [label]: value } as Record<L, string>, counts[value] ?? 0)
      }
    },
  })
  return gauge
}

/** How many of `items` have each value of `key`. */
export function countBy<T>(items: Iterable<T>, key: (item: T) => string): Record<string, number> {
  const counts: Record<string, number> = {}
  for (const item of items) {
    const value = key(item)
    counts[value] = (counts[value] ?? 0) + 1
  }
  return counts
}
