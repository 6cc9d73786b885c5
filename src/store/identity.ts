import { generateKeyPair, privateKeyFromProtobuf, privateKeyToProtobuf } from '@libp2p/crypto/keys'
import type { PrivateKey } from '@libp2p/interface'
import { readFile, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { writeFileAtomic } from './atomic-file.js'
import { DataDirError } from './errors.js'

export const IDENTITY_FILE = 'identity.key'

export interface LoadedIdentity {
  privateKey: PrivateKey
  created: boolean
  /** Set when the key file is readable by others: worth a warning. */
  looseMode?: number
}

/**
 * The node's libp2p identity (Ed25519), kept in `<dataDir>/identity.key` (protobuf, mode
 * 0600), so the peer id survives restarts. Created on first start.
 */
export async function loadOrCreateIdentity(dataDir: string): Promise<LoadedIdentity> {
  const path = join(dataDir, IDENTITY_FILE)
  let bytes: Buffer | undefined
  try {
    bytes = await readFile(path)
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') {
      throw new DataDirError(`cannot read ${path}: ${(err as Error).message}`, { cause: err })
    }
  }
  if (bytes === undefined) {
    const privateKey = await generateKeyPair('Ed25519')
    await writeFileAtomic(path, privateKeyToProtobuf(privateKey), 0o600)
    return { privateKey, created: true }
  }
  let privateKey: PrivateKey
  try {
    privateKey = privateKeyFromProtobuf(bytes)
  } catch (err) {
    // Never overwrite an identity we cannot read: the operator decides (restore or delete it).
    throw new DataDirError(
      `${path} is not a libp2p private key (${(err as Error).message}); restore or delete it`,
      {
        cause: err,
      },
    )
  }
  const mode = (await stat(path)).mode & 0o777
  return mode & 0o077
    ? { privateKey, created: false, looseMode: mode }
    : { privateKey, created: false }
}
