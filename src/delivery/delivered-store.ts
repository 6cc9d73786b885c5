/**
 * What this node delivered, kept across restarts (`<dataDir>/delivered.json`): the ledger's
 * dedup memory, saved every second and at stop, read back at start. A restarted daemon then
 * asks for what it missed while it was down without delivering again what it had before — up
 * to its last save: what it delivered in the second before a crash comes again
 * (at-least-once). Bounded: the most recently heard senders, the newest delivered ranges of
 * each; what is left out is only delivered again if a peer still keeps it.
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { writeFileAtomic } from '../store/atomic-file.js'
import {
  DELIVERED_FILE,
  DELIVERED_FILE_MAX_BYTES,
  SNAPSHOT_MAX_RANGES,
  SNAPSHOT_MAX_SENDERS,
} from './constants.js'
import type { SeqRange } from './ranges.js'

export interface LedgerSnapshot {
  v: 1
  /** Most recently heard first. */
  senders: Array<{ sender: string; floor: number; ranges: SeqRange[] }>
}

export interface DeliveredStore {
  /**
   * The last saved snapshot, undefined if none; throws with the reason when it cannot be
   * used. Synchronous: the delivery service reads it in start() before its tap takes frames.
   */
  load(): LedgerSnapshot | undefined
  save(snapshot: LedgerSnapshot): Promise<void>
}

/** Checks a parsed snapshot; returns it or a sentence naming what is wrong. */
export function parseSnapshot(value: unknown): LedgerSnapshot | string {
  if (typeof value !== 'object' || value === null) return 'not an object'
  const { v, senders } = value as { v?: unknown; senders?: unknown }
  if (v !== 1) return `unknown version ${JSON.stringify(v)}`
  if (!Array.isArray(senders)) return 'senders is not a list'
  if (senders.length > SNAPSHOT_MAX_SENDERS) return `more than ${SNAPSHOT_MAX_SENDERS} senders`
  const seq = (n: unknown): n is number => Number.isSafeInteger(n) && (n as number) >= -1
  for (const [i, entry] of senders.entries()) {
    const { sender, floor, ranges } = (entry ?? {}) as Record<string, unknown>
    if (typeof sender !== 'string' || sender.length === 0 || sender.length > 128)
      return `senders[${i}].sender is not a peer id`
    if (!seq(floor)) return `senders[${i}].floor is not a sequence number`
    if (!Array.isArray(ranges) || ranges.length > SNAPSHOT_MAX_RANGES)
      return `senders[${i}].ranges is not a list of at most ${SNAPSHOT_MAX_RANGES}`
    let last = floor
    for (const range of ranges as unknown[]) {
      const [lo, hi] = Array.isArray(range) ? (range as unknown[]) : []
      if (!seq(lo) || !seq(hi) || lo > hi || lo <= last)
        return `senders[${i}].ranges must be ascending, disjoint [lo, hi] pairs above floor`
      last = hi
    }
  }
  return value as LedgerSnapshot
}

/** The snapshot in `<dataDir>/delivered.json`, written atomically (a crash leaves old or new). */
export class FileDeliveredStore implements DeliveredStore {
  readonly path: string

  constructor(dataDir: string) {
    this.path = join(dataDir, DELIVERED_FILE)
  }

  load(): LedgerSnapshot | undefined {
    let bytes: Buffer
    try {
      bytes = readFileSync(this.path)
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined
      throw new Error(`cannot read ${this.path}: ${(err as Error).message}`, { cause: err })
    }
    if (bytes.length > DELIVERED_FILE_MAX_BYTES)
      throw new Error(`${this.path}: ${bytes.length} bytes, more than ${DELIVERED_FILE_MAX_BYTES}`)
    let value: unknown
    try {
      value = JSON.parse(bytes.toString('utf8'))
    } catch (err) {
      throw new Error(`${this.path}: not JSON (${(err as Error).message})`)
    }
    const parsed = parseSnapshot(value)
    if (typeof parsed === 'string') throw new Error(`${this.path}: ${parsed}`)
    return parsed
  }

  async save(snapshot: LedgerSnapshot): Promise<void> {
    await writeFileAtomic(this.path, JSON.stringify(snapshot))
  }
}

/** In memory, kept across restarts by whoever holds it (in-process simulations, tests). */
export class MemoryDeliveredStore implements DeliveredStore {
  private saved: string | undefined

  load(): LedgerSnapshot | undefined {
    if (this.saved === undefined) return undefined
    const parsed = parseSnapshot(JSON.parse(this.saved))
    if (typeof parsed === 'string') throw new Error(parsed)
    return parsed
  }

  async save(snapshot: LedgerSnapshot): Promise<void> {
    this.saved = JSON.stringify(snapshot)
  }
}
