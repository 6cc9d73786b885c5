import { readFile } from 'node:fs/promises'
import { InvalidKeyError } from '../errors.js'
import { MIN_KEY_BYTES } from './constants.js'

/** A network key written as hex (what `patternmesh keygen` writes); whitespace is ignored. */
export function parseNetworkKey(text: string, source = 'key'): Buffer {
  const hex = text.trim()
  if (!/^(?:[0-9a-fA-F]{2})+$/.test(hex)) {
    throw new InvalidKeyError(`${source}: expected an even number of hex digits`)
  }
  const key = Buffer.from(hex, 'hex')
  if (key.length < MIN_KEY_BYTES) {
    throw new InvalidKeyError(
      `${source}: a network key needs at least ${MIN_KEY_BYTES} bytes, got ${key.length}`,
    )
  }
  return key
}

export async function readNetworkKeyFile(path: string): Promise<Buffer> {
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code
    const why =
      code === 'ENOENT'
        ? 'no such file'
        : code === 'EACCES'
          ? 'permission denied'
          : String(code ?? err)
    throw new InvalidKeyError(`key file ${path}: ${why}`, { cause: err })
  }
  return parseNetworkKey(text, `key file ${path}`)
}
