import { mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { isLoopbackHost, parseApiAddress } from '../../src/api/address.js'
import { API_TOKEN_FILE, assertSafeBind, resolveApiToken } from '../../src/api/token.js'
import { ConfigError } from '../../src/errors.js'

const dirs: string[] = []
afterEach(async () => {
  await Promise.all(
    dirs.splice(0).map(async (dir) => await rm(dir, { recursive: true, force: true })),
  )
})

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'pm-api-token-'))
  dirs.push(dir)
  return dir
}

describe('resolveApiToken', () => {
  it('uses the configured token and writes nothing', async () => {
    const dir = await tempDir()
    const resolved = await resolveApiToken({ configured: 'configured-token-123456', dataDir: dir })
    expect(resolved).toEqual({ token: 'configured-token-123456', source: 'configured' })
    expect(await readdir(dir)).toEqual([])
  })

  it('generates a 32-byte base64url token into a new data dir (0700), file mode 0600, then reuses it', async () => {
    const dataDir = join(await tempDir(), 'node-a', 'data')
    const first = await resolveApiToken({ dataDir })
    expect(first.source).toBe('generated')
    expect(first.token).toMatch(/^[A-Za-z0-9_-]{43}$/)
    expect(Buffer.from(first.token, 'base64url')).toHaveLength(32)
    const path = join(dataDir, API_TOKEN_FILE)
    expect(first.path).toBe(path)
    expect((await stat(path)).mode & 0o777).toBe(0o600)
    expect((await stat(dataDir)).mode & 0o777).toBe(0o700)
    expect((await readFile(path, 'utf8')).trim()).toBe(first.token)
    // No temp file is left behind.
    expect(await readdir(dataDir)).toEqual([API_TOKEN_FILE])

    const second = await resolveApiToken({ dataDir })
    expect(second).toEqual({ token: first.token, source: 'file', path })
    const other = await resolveApiToken({ dataDir: await tempDir() })
    expect(other.token).not.toBe(first.token)
  })

  it('reads an existing token file, trimming the newline', async () => {
    const dir = await tempDir()
    await writeFile(join(dir, API_TOKEN_FILE), 'handwritten-token-abcdef\n', { mode: 0o600 })
    expect((await resolveApiToken({ dataDir: dir })).token).toBe('handwritten-token-abcdef')
  })

  it.each(['', 'short', 'has spaces in the middle of it'])(
    'refuses an unusable token file %j with a ConfigError, and leaves it alone',
    async (content) => {
      const dir = await tempDir()
      await writeFile(join(dir, API_TOKEN_FILE), content)
      const error = await resolveApiToken({ dataDir: dir }).catch((err: unknown) => err)
      expect(error).toBeInstanceOf(ConfigError)
      expect(error).toMatchObject({ key: 'apiToken' })
      expect(await readFile(join(dir, API_TOKEN_FILE), 'utf8')).toBe(content)
    },
  )
})

describe('assertSafeBind', () => {
  it.each([
    ['127.0.0.1', false, true],
    ['127.8.9.10', false, true],
    ['localhost', false, true],
    ['::1', false, true],
    ['[::1]', false, true],
    ['::ffff:127.0.0.1', false, true],
    ['0.0.0.0', false, false],
    ['::', false, false],
    ['192.168.1.5', false, false],
    ['example.org', false, false],
    ['0.0.0.0', true, true],
    ['10.0.0.1', true, true],
  ])('%s with explicit token %s: allowed %s', (host, configured, allowed) => {
    if (allowed) {
      expect(() => assertSafeBind(host, configured)).not.toThrow()
    } else {
      let error: unknown
      try {
        assertSafeBind(host, configured)
      } catch (err) {
        error = err
      }
      expect(error).toBeInstanceOf(ConfigError)
      expect(error).toMatchObject({ key: 'api' })
      expect((error as Error).message).toMatch(/^api: /)
    }
  })

  it('knows loopback hosts', () => {
    expect(isLoopbackHost('0:0:0:0:0:0:0:1')).toBe(true)
    expect(isLoopbackHost('128.0.0.1')).toBe(false)
  })
})

describe('parseApiAddress', () => {
  it.each([
    ['127.0.0.1:7070', { host: '127.0.0.1', port: 7070 }],
    ['0.0.0.0:0', { host: '0.0.0.0', port: 0 }],
    ['localhost:80', { host: 'localhost', port: 80 }],
    ['[::1]:7070', { host: '::1', port: 7070 }],
    ['off', null],
  ])('parses %s', (value, expected) => {
    expect(parseApiAddress(value)).toEqual(expected)
  })

  it.each(['7070', '127.0.0.1', '127.0.0.1:70000', '::1:7070', '[nothex]:1', 'host:port', ''])(
    'refuses %j naming api',
    (value) => {
      expect(() => parseApiAddress(value)).toThrow(ConfigError)
      expect(() => parseApiAddress(value)).toThrow(/^api: /)
    },
  )
})
