/**
 * The key audit log (`key-audit.jsonl`): one line per operation asked with a `who`, 0600,
 * bounded (moved to `.1` past its size), and a refusal is written with its code.
 */
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { audited, FileKeyAudit, MemoryKeyAudit } from '../../src/keyring/audit.js'
import { KeyringOpError } from '../../src/keyring/index.js'

const dirs: string[] = []
afterEach(async () => {
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true })
})

const entry = (i: number) => ({
  at: i,
  op: 'use' as const,
  who: '127.0.0.1 (test)',
  id: 'abcdef01',
  outcome: 'done' as const,
})

describe('FileKeyAudit', () => {
  it('appends JSON lines to key-audit.jsonl (0600) and moves it to .1 past its bound', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'pm-key-audit-'))
    dirs.push(dir)
    const line = JSON.stringify(entry(0)).length + 1
    const audit = new FileKeyAudit(join(dir, 'data'), { maxBytes: 3 * line })
    for (let i = 0; i < 3; i++) await audit.write(entry(i))
    expect((await stat(audit.path)).mode & 0o777).toBe(0o600)
    expect((await stat(join(dir, 'data'))).mode & 0o777).toBe(0o700)
    const lines = async (path: string): Promise<number[]> =>
      (await readFile(path, 'utf8'))
        .trim()
        .split('\n')
        .map((l) => (JSON.parse(l) as { at: number }).at)
    expect(await lines(audit.path)).toEqual([0, 1, 2])
    // The fourth would pass the bound: the file moves to .1, a new one starts.
    await audit.write(entry(3))
    expect(await lines(`${audit.path}.1`)).toEqual([0, 1, 2])
    expect(await lines(audit.path)).toEqual([3])
    for (let i = 4; i < 7; i++) await audit.write(entry(i))
    // At most two files: the older .1 is replaced.
    expect(await lines(`${audit.path}.1`)).toEqual([3, 4, 5])
    expect(await lines(audit.path)).toEqual([6])
  })
})

describe('audited', () => {
  const answer = {
    op: 'install',
    id: 'abcdef01',
    results: [
      { member: 'p1', status: 'ok' },
      { member: 'p2', status: 'failed', detail: 'no answer' },
    ],
  }

  it('writes done with the members it failed on, refused with the code, nothing without who', async () => {
    const audit = new MemoryKeyAudit()
    const c = { audit, onWriteError: () => undefined, now: () => 42 }
    const who = { who: '127.0.0.1 (curl/8)' }
    expect(await audited(c, 'install', undefined, who, async () => answer)).toBe(answer)
    const refusal = new KeyringOpError('KEY_IS_PRIMARY', 'key 12345678 is the primary')
    await expect(
      audited(c, 'remove', '12345678', who, async () => await Promise.reject(refusal)),
    ).rejects.toBe(refusal)
    await audited(c, 'use', 'abcdef01', undefined, async () => answer)
    expect(audit.entries).toEqual([
      {
        at: 42,
        op: 'install',
        who: '127.0.0.1 (curl/8)',
        id: 'abcdef01',
        outcome: 'done',
        ok: 1,
        failed: ['p2'],
      },
      {
        at: 42,
        op: 'remove',
        who: '127.0.0.1 (curl/8)',
        id: '12345678',
        outcome: 'refused',
        code: 'KEY_IS_PRIMARY',
        detail: 'key 12345678 is the primary',
      },
    ])
  })

  it('a failed write is reported, and the answer stands', async () => {
    const errors: unknown[] = []
    const broken = { write: async () => await Promise.reject(new Error('disk full')) }
    const c = { audit: broken, onWriteError: (err: unknown) => errors.push(err) }
    expect(await audited(c, 'use', 'abcdef01', { who: 'x' }, async () => answer)).toBe(answer)
    expect(errors.map((e) => (e as Error).message)).toEqual(['disk full'])
  })
})
