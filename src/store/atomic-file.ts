/**
 * Crash-safe file writes: write a temp file in the same directory, fsync it, rename it over
 * the target, fsync the directory. A `kill -9` at any point leaves the old or the new file,
 * never a torn one.
 */
import { randomBytes } from 'node:crypto'
import { mkdir, open, rename, rm, type FileHandle } from 'node:fs/promises'
import { basename, dirname, join } from 'node:path'

/** Replaces `path` atomically with `data`, with exactly `mode` (not masked by the umask). */
export async function writeFileAtomic(
  path: string,
  data: Uint8Array | string,
  mode = 0o600,
): Promise<void> {
  const dir = dirname(path)
  const temp = join(dir, `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`)
  try {
    await fillNew(temp, data, mode)
    await rename(temp, path)
  } catch (err) {
    await rm(temp, { force: true })
    throw err
  }
  await syncDir(dir)
}

/** Creates `path` with `data`; fails with EEXIST if it exists (no check-then-write race). */
export async function writeFileExclusive(
  path: string,
  data: Uint8Array | string,
  mode = 0o600,
): Promise<void> {
  try {
    await fillNew(path, data, mode)
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') await rm(path, { force: true })
    throw err
  }
  await syncDir(dirname(path))
}

export async function ensureDir(path: string, mode = 0o700): Promise<void> {
  await mkdir(path, { recursive: true, mode })
}

async function fillNew(path: string, data: Uint8Array | string, mode: number): Promise<void> {
  const handle: FileHandle = await open(path, 'wx', mode)
  try {
    await handle.chmod(mode)
    await handle.writeFile(data)
    await handle.sync()
  } finally {
    await handle.close()
  }
}

/** Makes a new directory entry durable; some filesystems refuse, and the rename is atomic anyway. */
async function syncDir(dir: string): Promise<void> {
  let handle: FileHandle | undefined
  try {
    handle = await open(dir, 'r')
    await handle.sync()
  } catch {
    // not supported here (e.g. some network filesystems)
  } finally {
    await handle?.close().catch(() => undefined)
  }
}
