import { open, readFile, rm } from 'node:fs/promises'
import { DataDirError } from './errors.js'

/**
 * One daemon per data dir: a lock file holding the owner's pid, created exclusively. A lock
 * left by a process that no longer runs (kill -9) is taken over.
 */
export async function acquirePidLock(path: string): Promise<() => Promise<void>> {
  // Our own pid in a lock we do not hold is a stale lock (containers reuse pid 1).
  if (heldHere.has(path))
    throw new DataDirError(
      `data dir is in use by another patternmesh process (this one, lock ${path})`,
    )
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const handle = await open(path, 'wx', 0o600)
      await handle.writeFile(String(process.pid))
      await handle.close()
      heldHere.add(path)
      return async () => {
        heldHere.delete(path)
        await rm(path, { force: true })
      }
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err
    }
    const owner = Number.parseInt(await readFile(path, 'utf8').catch(() => ''), 10)
    if (Number.isInteger(owner) && owner > 0 && owner !== process.pid && isAlive(owner)) {
      throw new DataDirError(
        `data dir is in use by another patternmesh process (pid ${owner}, lock ${path})`,
      )
    }
    await rm(path, { force: true })
  }
  throw new DataDirError(`cannot take the lock ${path}`)
}

const heldHere = new Set<string>()

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'
  }
}
