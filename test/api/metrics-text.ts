/** A parser of the Prometheus text format for the /metrics tests, and scrape helpers. */
import { expect } from 'vitest'
import type { RunningApi } from './helpers.js'

export interface Family {
  type: string
  help: string
  samples: Array<{ name: string; labels: Record<string, string>; value: number }>
}

const NAME = '[a-zA-Z_:][a-zA-Z0-9_:]*'
// Values as Go's ParseFloat reads them: NaN and Inf in any case (prom-client writes "Nan").
const SAMPLE = new RegExp(`^(${NAME})(?:\\{(.*)\\})? (-?[0-9.eE+-]+|[+-]?inf|nan)(?: \\d+)?$`, 'i')
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g

/**
 * A strict-enough parser of the Prometheus text format 0.0.4: every line is a HELP, a TYPE or
 * a sample; every sample belongs to a family declared by TYPE; every value is a number.
 */
export function parsePrometheus(text: string): Map<string, Family> {
  const families = new Map<string, Family>()
  for (const line of text.split('\n')) {
    if (line === '') continue
    const help = /^# HELP (\S+) (.*)$/.exec(line)
    const type = /^# TYPE (\S+) (counter|gauge|histogram|summary|untyped)$/.exec(line)
    if (help !== null) {
      // One family is declared once: two registries serving one name would be a broken scrape.
      if (families.has(help[1]!)) throw new Error(`family declared twice: ${help[1]!}`)
      families.set(help[1]!, { type: '', help: help[2]!, samples: [] })
      continue
    }
    if (type !== null) {
      const family = families.get(type[1]!)
      if (family === undefined) throw new Error(`TYPE before HELP: ${line}`)
      family.type = type[2]!
      continue
    }
    const sample = SAMPLE.exec(line)
    if (sample === null) throw new Error(`not a metric line: ${JSON.stringify(line)}`)
    const [, name, rawLabels, rawValue] = sample
    const base = [...families.keys()].find(
      (family) =>
        name === family ||
        (/^_(bucket|sum|count|total|created)$/.test(name!.slice(family.length)) &&
          name!.startsWith(family)),
    )
    if (base === undefined) throw new Error(`sample of an undeclared family: ${line}`)
    const labels: Record<string, string> = {}
    for (const match of (rawLabels ?? '').matchAll(LABEL)) labels[match[1]!] = match[2]!
    const lower = rawValue!.toLowerCase()
    const value =
      lower === 'nan'
        ? NaN
        : lower.endsWith('inf')
          ? lower.startsWith('-')
            ? -Infinity
            : Infinity
          : Number(rawValue)
    if (Number.isNaN(value) && lower !== 'nan') throw new Error(`bad value: ${line}`)
    families.get(base)!.samples.push({ name: name!, labels, value })
  }
  return families
}

export async function scrape(api: RunningApi): Promise<Map<string, Family>> {
  const res = await fetch(api.url('/metrics'))
  expect(res.status).toBe(200)
  expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/)
  return parsePrometheus(await res.text())
}

export function value(
  families: Map<string, Family>,
  name: string,
  labels: Record<string, string> = {},
): number {
  const family = families.get(name)
  if (family === undefined) throw new Error(`no metric ${name}`)
  const sample = family.samples.find((s) =>
    Object.entries(labels).every(([key, v]) => s.labels[key] === v),
  )
  if (sample === undefined) throw new Error(`no sample of ${name} with ${JSON.stringify(labels)}`)
  return sample.value
}
