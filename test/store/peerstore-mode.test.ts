import { chmod, mkdir, mkdtemp, rm, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { openDataDir } from '../../src/store/index.js'

let dir: string
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'pm-peerstore-'))
})
afterEach(async () => {
  await rm(dir, { recursive: true, force: true })
})

const modeOf = async (path: string): Promise<number> => (await stat(path)).mode & 0o777

describe('the peer store folder', () => {
  it('is 0700 like the rest of the data dir', async () => {
    const opened = await openDataDir(join(dir, 'node'))
    await opened.close()
    expect(await modeOf(join(dir, 'node', 'peerstore'))).toBe(0o700)
  })

  it('is made 0700 when an older version left it 0755', async () => {
    const peerstore = join(dir, 'node', 'peerstore')
    await mkdir(peerstore, { recursive: true })
    await chmod(peerstore, 0o755)
    const opened = await openDataDir(join(dir, 'node'))
    await opened.close()
    expect(await modeOf(peerstore)).toBe(0o700)
  })
})
