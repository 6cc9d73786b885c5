import { LevelDatastore } from 'datastore-level'
import { chmod, readdir, stat } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import { ensureDir } from './atomic-file.js'
import { DataDirError } from './errors.js'
import { loadOrCreateIdentity, type LoadedIdentity } from './identity.js'
import { acquirePidLock } from './pid-lock.js'

export interface DataDir {
  path: string
  identity: LoadedIdentity
  /** libp2p's datastore: the persisted peer store (addresses, protocols, keys of peers). */
  datastore: LevelDatastore
  close(): Promise<void>
}

/**
 * Opens a node's data dir: creates it (mode 0700), loads or creates the identity, and opens
 * the peer store. A pid lock makes a second daemon on the same dir fail with a clear error.
 */
export async function openDataDir(path: string): Promise<DataDir> {
  const dir = resolve(path)
  try {
    await ensureDir(dir)
    if (!(await stat(dir)).isDirectory()) throw new Error('not a directory')
  } catch (err) {
    throw new DataDirError(`data dir ${dir}: ${(err as Error).message}`, { cause: err })
  }
  const release = await acquirePidLock(join(dir, 'LOCK'))
  try {
    const identity = await loadOrCreateIdentity(dir)
    const peerstore = join(dir, 'peerstore')
    const datastore = new LevelDatastore(peerstore)
    try {
      // LevelDB would make the folder 0755 (its files 0644): 0700 like the rest of the dir.
      // chmod too: a folder made by an older version keeps its mode otherwise.
      await ensureDir(peerstore)
      await chmod(peerstore, 0o700)
      await datastore.open()
      // Its files 0600: those an older version left and those the open made. Later ones follow
      // the umask (`patternmesh start` sets 0077).
      await restrictFiles(peerstore)
    } catch (err) {
      throw new DataDirError(
        `data dir ${dir}: cannot open the peer store (${(err as Error).message})`,
        { cause: err },
      )
    }
    return {
      path: dir,
      identity,
      datastore,
      close: async () => {
        await datastore.close()
        await release()
      },
    }
  } catch (err) {
    await release()
    throw err
  }
}

/**
 * The files directly in `dir` made 0600 (LevelDB keeps its files in one folder). One removed
 * meanwhile (LevelDB drops obsolete files in the background) is skipped.
 */
async function restrictFiles(dir: string): Promise<void> {
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    if (!entry.isFile()) continue
    await chmod(join(dir, entry.name), 0o600).catch((err: NodeJS.ErrnoException) => {
      if (err.code !== 'ENOENT') throw err
    })
  }
}
