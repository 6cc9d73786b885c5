import { chmod, mkdir, mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { parsePskFile } from '../../src/net/index.js'
import { parseNetworkKey } from '../../src/pattern/index.js'
import { cli, expectUsageError } from './run-cli.js'

const KEY_LINE = /^[0-9a-f]{64}\n$/

describe('patternmesh keygen', () => {
  let dir = ''
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'patternmesh-keygen-'))
  })
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true })
  })

  it('prints 32 random bytes as 64 hex digits on one line', async () => {
    const first = await cli('keygen')
    const second = await cli('keygen')
    expect(first.code).toBe(0)
    expect(first.stderr).toBe('')
    expect(first.stdout).toMatch(KEY_LINE)
    expect(second.stdout).toMatch(KEY_LINE)
    expect(second.stdout).not.toBe(first.stdout)
    expect(parseNetworkKey(first.stdout)).toHaveLength(32)
  })

  it('writes --out with mode 0600 and says where, without printing the key', async () => {
    const file = join(dir, 'mesh.key')
    const run = await cli('keygen', '--out', file)
    expect(run.code).toBe(0)
    expect(run.stdout).toContain(file)
    expect(run.stdout).not.toMatch(/[0-9a-f]{64}/)
    const text = await readFile(file, 'utf8')
    expect(text).toMatch(KEY_LINE)
    expect((await stat(file)).mode & 0o777).toBe(0o600)
    expect(parseNetworkKey(text)).toHaveLength(32)
  })

  it('refuses to overwrite an existing file and leaves it as it was', async () => {
    const file = join(dir, 'mesh.key')
    await writeFile(file, 'the old key\n')
    expectUsageError(await cli('keygen', '--out', file), file)
    expect(await readFile(file, 'utf8')).toBe('the old key\n')
  })

  it('replaces an existing file with --force, mode 0600, leaving no temp file behind', async () => {
    const file = join(dir, 'mesh.key')
    await writeFile(file, 'the old key\n')
    await chmod(file, 0o644)
    const run = await cli('keygen', '--out', file, '--force')
    expect(run.code).toBe(0)
    expect(await readFile(file, 'utf8')).toMatch(KEY_LINE)
    expect((await stat(file)).mode & 0o777).toBe(0o600)
    expect(await readdir(dir)).toEqual(['mesh.key'])
  })

  it('writes a new file with --force too', async () => {
    const file = join(dir, 'new.key')
    expect((await cli('keygen', '--out', file, '--force')).code).toBe(0)
    expect(await readFile(file, 'utf8')).toMatch(KEY_LINE)
  })

  it('fails cleanly when the directory does not exist', async () => {
    const file = join(dir, 'missing', 'mesh.key')
    expectUsageError(await cli('keygen', '--out', file), /no such directory/)
    expectUsageError(await cli('keygen', '--out', file, '--force'), /no such directory/)
  })

  it('refuses to replace a directory and leaves it there', async () => {
    const target = join(dir, 'keys')
    await mkdir(target)
    expectUsageError(await cli('keygen', '--out', target, '--force'), target)
    expect((await stat(target)).isDirectory()).toBe(true)
    expect(await readdir(dir)).toEqual(['keys'])
  })

  it('refuses --force without --out, and an empty --out', async () => {
    expectUsageError(await cli('keygen', '--force'), '--force')
    expectUsageError(await cli('keygen', '--out', ''), '--out')
  })
})

describe('keygen --psk', () => {
  it('prints a libp2p private network key that the net layer accepts', async () => {
    const run = await cli('keygen', '--psk')
    expect(run.code).toBe(0)
    expect(run.stdout).toMatch(/^\/key\/swarm\/psk\/1\.0\.0\/\n\/base16\/\n[0-9a-f]{64}\n?$/)
    expect(() => parsePskFile(run.stdout)).not.toThrow()
  })
})
