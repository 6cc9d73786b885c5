import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { DataDirError, IDENTITY_FILE, openDataDir, writeFileAtomic } from '../../src/store/index.js'

let dir: string
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'pm-store-'))
})
afterEach(async () => {
  await rm(dir, { recursive: true, force: true })
})

describe('data dir', () => {
  it('keeps the identity across opens, in a 0600 file inside a 0700 dir', async () => {
    const path = join(dir, 'node')
    const first = await openDataDir(path)
    await first.close()
    const second = await openDataDir(path)
    await second.close()
    expect(first.identity.created).toBe(true)
    expect(second.identity.created).toBe(false)
    expect(second.identity.privateKey.equals(first.identity.privateKey)).toBe(true)
    expect((await stat(join(path, IDENTITY_FILE))).mode & 0o777).toBe(0o600)
    expect((await stat(path)).mode & 0o777).toBe(0o700)
  })

  it('refuses a second opener of the same dir with a clear error', async () => {
    const first = await openDataDir(dir)
    try {
      await expect(openDataDir(dir)).rejects.toThrow(/in use by another patternmesh process/)
    } finally {
      await first.close()
    }
  })

  it('takes over a lock left by a process that no longer runs (kill -9)', async () => {
    await writeFile(join(dir, 'LOCK'), '999999999')
    const opened = await openDataDir(dir)
    expect(await readFile(join(dir, 'LOCK'), 'utf8')).toBe(String(process.pid))
    await opened.close()
  })

  it('refuses a corrupt identity and leaves the file as it was', async () => {
    await writeFile(join(dir, IDENTITY_FILE), 'not a key')
    await expect(openDataDir(dir)).rejects.toBeInstanceOf(DataDirError)
    expect(await readFile(join(dir, IDENTITY_FILE), 'utf8')).toBe('not a key')
  })

  it('refuses a data dir that is a file', async () => {
    const file = join(dir, 'file')
    await writeFile(file, 'x')
    await expect(openDataDir(file)).rejects.toThrow(/data dir/)
  })

  it('writes files atomically with the given mode and leaves no temp file behind', async () => {
    const path = join(dir, 'state.json')
    await writeFileAtomic(path, '{"a":1}', 0o600)
    await writeFileAtomic(path, '{"a":2}', 0o600)
    expect(await readFile(path, 'utf8')).toBe('{"a":2}')
    expect((await stat(path)).mode & 0o777).toBe(0o600)
    const { readdir } = await import('node:fs/promises')
    expect((await readdir(dir)).filter((f) => f.endsWith('.tmp'))).toEqual([])
  })
})
