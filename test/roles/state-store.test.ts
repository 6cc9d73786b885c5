import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import {
  FileRoleStateStore,
  MemoryRoleStateStore,
  RoleStateCorruptError,
  type PersistedRoleState,
} from '../../src/roles/index.js'

const state: PersistedRoleState = {
  version: 1,
  term: 12,
  principal: '12D3KooWGzxzKZYveHXtpG6AsrUJBcWxHBFS2HsEoGTxrMLvKXtf',
  principalWeight: 40,
  roles: ['member'],
  savedAt: 1_700_000_000_000,
}

let dir: string
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'pm-role-store-'))
})
afterEach(async () => await rm(dir, { recursive: true }))

describe('FileRoleStateStore', () => {
  it('has nothing before the first save, then gives back what was saved (mode 0600)', async () => {
    const store = new FileRoleStateStore(dir)
    expect(store.path).toBe(join(dir, 'roles.json'))
    expect(await store.load()).toBeUndefined()
    await store.save(state)
    expect(await new FileRoleStateStore(dir).load()).toEqual(state)
    expect((await stat(store.path)).mode & 0o777).toBe(0o600)
    await store.save({ ...state, term: 13, principal: null })
    expect(await store.load()).toMatchObject({ term: 13, principal: null })
  })

  it.each([
    ['torn JSON', '{"version":1,"term":'],
    ['empty', ''],
    ['a negative term', JSON.stringify({ ...state, term: -1 })],
    ['an unknown version', JSON.stringify({ ...state, version: 2 })],
    ['an unknown role', JSON.stringify({ ...state, roles: ['king'] })],
    ['an extra key', JSON.stringify({ ...state, extra: true })],
    ['too large', ' '.repeat(20_000)],
  ])('reports a %s file as corrupt, naming it, and leaves it untouched', async (_what, text) => {
    const store = new FileRoleStateStore(dir)
    await writeFile(store.path, text)
    const load = store.load()
    await expect(load).rejects.toBeInstanceOf(RoleStateCorruptError)
    await expect(load).rejects.toMatchObject({ code: 'ROLE_STATE_CORRUPT', path: store.path })
    expect(await readFile(store.path, 'utf8')).toBe(text)
  })
})

describe('MemoryRoleStateStore', () => {
  it('keeps a copy of what was saved and counts saves', async () => {
    const store = new MemoryRoleStateStore(state)
    expect(await store.load()).toEqual(state)
    const next: PersistedRoleState = { ...state, term: 13, roles: ['member'] }
    await store.save(next)
    next.roles.push('principal')
    expect(store.current).toEqual({ ...state, term: 13 })
    expect(store.saves).toBe(1)
  })
})
