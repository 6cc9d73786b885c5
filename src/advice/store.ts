/**
 * Advice persistence. `FileAdviceStore`: an append-only JSON-lines log in the data dir
 * (`advice.jsonl`). Appends are group-committed: every record queued while a write is in
 * flight goes out in the next write, each write followed by fdatasync, and `append` resolves
 * only once its records are on disk. A torn last line (a crash mid-write) is cut off at load;
 * compaction rewrites the live records atomically (temp file, fsync, rename).
 */
import { open, readFile, truncate, type FileHandle } from 'node:fs/promises'
import { join } from 'node:path'
import { ensureDir, writeFileAtomic } from '../store/atomic-file.js'
import { ADVICE_LOG_FILE } from './constants.js'
import { AdviceStoreError } from './errors.js'
import type { Advice, AdviceResult } from './types.js'

export type AdviceRecord =
  | { t: 'advice'; advice: Advice }
  | { t: 'result'; result: AdviceResult }
  /** The value a key had on this node before any advice wrote it (what a rollback restores). */
  | { t: 'baseline'; key: string; value: unknown }

export interface AdviceStore {
  /** Every record, oldest first. */
  load(): Promise<AdviceRecord[]>
  /** Resolves once the records are durable. */
  append(records: readonly AdviceRecord[]): Promise<void>
  /** Replaces the log with `live` (atomically). */
  compact(live: readonly AdviceRecord[]): Promise<void>
  /** Lines in the log (compaction trigger). */
  readonly lines: number
  close(): Promise<void>
}

export class MemoryAdviceStore implements AdviceStore {
  records: AdviceRecord[] = []

  get lines(): number {
    return this.records.length
  }

  async load(): Promise<AdviceRecord[]> {
    return structuredClone(this.records)
  }

  async append(records: readonly AdviceRecord[]): Promise<void> {
    this.records.push(...structuredClone(records))
  }

  async compact(live: readonly AdviceRecord[]): Promise<void> {
    this.records = structuredClone([...live])
  }

  async close(): Promise<void> {}
}

export class FileAdviceStore implements AdviceStore {
  readonly path: string
  private handle: FileHandle | undefined
  private queue: Array<{ line: string; done: () => void; fail: (err: unknown) => void }> = []
  private writing = false
  private lines_ = 0
  /** Lines skipped at load because they did not parse (reported, not fatal). */
  skipped = 0

  constructor(dataDir: string) {
    this.path = join(dataDir, ADVICE_LOG_FILE)
  }

  get lines(): number {
    return this.lines_
  }

  async load(): Promise<AdviceRecord[]> {
    let text: string
    try {
      text = await readFile(this.path, 'utf8')
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return []
      throw new AdviceStoreError(`cannot read ${this.path}: ${(err as Error).message}`, {
        cause: err,
      })
    }
    const end = text.lastIndexOf('\n') + 1
    if (end < text.length) {
      // A torn last line: the write that crashed was never acknowledged. Cut it off so the next
      // append starts on a fresh line.
      await truncate(this.path, Buffer.byteLength(text.slice(0, end)))
    }
    const out: AdviceRecord[] = []
    for (const line of text.slice(0, end).split('\n')) {
      if (line === '') continue
      try {
        out.push(JSON.parse(line) as AdviceRecord)
      } catch {
        this.skipped++
      }
    }
    this.lines_ = out.length
    return out
  }

  async append(records: readonly AdviceRecord[]): Promise<void> {
    if (records.length === 0) return
    const line = records.map((r) => JSON.stringify(r)).join('\n') + '\n'
    await new Promise<void>((done, fail) => {
      this.queue.push({ line, done, fail })
      this.lines_ += records.length
      void this.flush()
    })
  }

  async compact(live: readonly AdviceRecord[]): Promise<void> {
    await this.idle()
    await this.handle?.close()
    this.handle = undefined
    const text = live.map((r) => JSON.stringify(r) + '\n').join('')
    try {
      await writeFileAtomic(this.path, text)
    } catch (err) {
      throw new AdviceStoreError(`cannot compact ${this.path}: ${(err as Error).message}`, {
        cause: err,
      })
    }
    this.lines_ = live.length
  }

  async close(): Promise<void> {
    await this.idle()
    await this.handle?.close()
    this.handle = undefined
  }

  private async idle(): Promise<void> {
    while (this.writing || this.queue.length > 0) {
      await new Promise((resolve) => setTimeout(resolve, 1))
    }
  }

  private async flush(): Promise<void> {
    if (this.writing) return
    this.writing = true
    try {
      while (this.queue.length > 0) {
        const batch = this.queue.splice(0)
        try {
          if (this.handle === undefined) {
            await ensureDir(join(this.path, '..'))
            this.handle = await open(this.path, 'a', 0o600)
          }
          await this.handle.write(batch.map((b) => b.line).join(''))
          await this.handle.datasync()
          for (const b of batch) b.done()
        } catch (err) {
          const error = new AdviceStoreError(
            `cannot write ${this.path}: ${(err as Error).message}`,
            {
              cause: err,
            },
          )
          for (const b of batch) b.fail(error)
        }
      }
    } finally {
      this.writing = false
    }
  }
}
