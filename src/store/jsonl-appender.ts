/**
 * Appends JSON lines to a file in the data dir (mode 0600), each synced to disk before its
 * write resolves, one write at a time in call order. With `maxBytes`, a line that would take
 * the file past it first moves the file to `<file>.1` (replacing the one before).
 */
import { open, rename, stat } from 'node:fs/promises'
import { dirname } from 'node:path'
import { ensureDir } from './atomic-file.js'

export class JsonLinesAppender {
  readonly path: string
  private readonly maxBytes: number | undefined
  private chain: Promise<void> = Promise.resolve()

  constructor(path: string, options: { maxBytes?: number } = {}) {
    this.path = path
    this.maxBytes = options.maxBytes
  }

  async append(entry: unknown): Promise<void> {
    const line = JSON.stringify(entry) + '\n'
    const next = this.chain.then(async () => {
      await ensureDir(dirname(this.path))
      if (this.maxBytes !== undefined) {
        const size = await stat(this.path).then(
          (s) => s.size,
          () => 0,
        )
        if (size > 0 && size + line.length > this.maxBytes)
          await rename(this.path, `${this.path}.1`)
      }
      const handle = await open(this.path, 'a', 0o600)
      try {
        await handle.write(line)
        await handle.datasync()
      } finally {
        await handle.close()
      }
    })
    this.chain = next.catch(() => undefined)
    await next
  }
}
