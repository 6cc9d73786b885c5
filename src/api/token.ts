import { randomBytes } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { ConfigError } from '../errors.js'
import { ensureDir, writeFileAtomic } from '../store/index.js'

export const API_TOKEN_FILE = 'api-token'
/** The read-only token's file (`apiReadToken`): GETs and the event stream, no writes. */
export const API_READ_TOKEN_FILE = 'api-read-token'
/** Same bounds as the `apiToken` and `apiReadToken` config keys. */
const MIN_TOKEN_LENGTH = 16
const MAX_TOKEN_LENGTH = 256

export interface ResolvedApiToken {
  token: string
  /** configured: flag, env or config; file: read from the data dir; generated: just written. */
  source: 'configured' | 'file' | 'generated'
  /** The token file, unless configured. */
  path?: string
}

/**
 * The API token: the configured one, else the one in `<dataDir>/api-token`, else a new
 * 32-byte base64url token written there (mode 0600, temp file + rename; the data dir is
 * created with mode 0700 if missing). `kind: 'read'`: the same for the read-only token,
 * `apiReadToken` in `<dataDir>/api-read-token`.
 */
export async function resolveApiToken(options: {
  configured?: string | undefined
  dataDir: string
  kind?: 'admin' | 'read'
}): Promise<ResolvedApiToken> {
  if (options.configured !== undefined && options.configured !== '') {
    return { token: options.configured, source: 'configured' }
  }
  const read = options.kind === 'read'
  const path = join(options.dataDir, read ? API_READ_TOKEN_FILE : API_TOKEN_FILE)
  const existing = await readTokenFile(path, read ? 'apiReadToken' : 'apiToken')
  if (existing !== undefined) return { token: existing, source: 'file', path }
  const token = randomBytes(32).toString('base64url')
  await ensureDir(options.dataDir)
  await writeFileAtomic(path, `${token}\n`, 0o600)
  return { token, source: 'generated', path }
}

async function readTokenFile(path: string, key: string): Promise<string | undefined> {
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw new ConfigError(`${key}: cannot read ${path}: ${(err as Error).message}`, key)
  }
  const token = text.trim()
  if (token.length < MIN_TOKEN_LENGTH || token.length > MAX_TOKEN_LENGTH || /\s/.test(token))
    throw new ConfigError(
      `${key}: ${path} does not hold a usable token (${MIN_TOKEN_LENGTH}–${MAX_TOKEN_LENGTH} characters, no spaces); delete it to have a new one generated`,
      key,
    )
  return token
}

export { assertSafeBind, isLoopbackHost } from './address.js'
