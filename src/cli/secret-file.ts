/**
 * Writes a small secret file (a network key) with mode 0600, durably (see store/atomic-file):
 * a new file is created exclusively, `force` replaces an existing one atomically.
 */
import { UsageError } from '../errors.js'
import { writeFileAtomic, writeFileExclusive } from '../store/index.js'

const SECRET_MODE = 0o600

export interface WriteSecretOptions {
  /** Replace an existing file (atomically, through a temp file and rename). */
  force: boolean
}

export async function writeSecretFile(
  path: string,
  content: string,
  options: WriteSecretOptions,
): Promise<void> {
  try {
    if (options.force) await writeFileAtomic(path, content, SECRET_MODE)
    else await writeFileExclusive(path, content, SECRET_MODE)
  } catch (err) {
    throw writeError(path, err)
  }
}

function writeError(path: string, err: unknown): UsageError {
  const code = (err as NodeJS.ErrnoException | undefined)?.code
  if (code === 'EEXIST') return new UsageError(`${path} already exists; use --force to replace it`)
  const why =
    code === 'ENOENT'
      ? 'no such directory'
      : code === 'EACCES' || code === 'EPERM'
        ? 'permission denied'
        : code === 'EISDIR'
          ? 'it is a directory'
          : code === 'ENOTDIR'
            ? 'a parent is not a directory'
            : (code ?? String(err))
  return new UsageError(`cannot write ${path}: ${why}`)
}
