import { chmod, mkdir, mkdtemp, readdir, rm, stat } from 'node:fs/promises'
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

  it('has its files 0600 once opened, those an older version left 0644 too', async () => {
    const peerstore = join(dir, 'node', 'peerstore')
    const first = await openDataDir(join(dir, 'node'))
    await first.close()
    for (const file of await readdir(peerstore)) await chmod(join(peerstore, file), 0o644)
    const opened = await openDataDir(join(dir, 'node'))
    // LevelDB replaced some at the open (a new manifest): every file there now.
    const files = await readdir(peerstore)
    const modes = await Promise.all(
      files.map(async (file) => `${(await modeOf(join(peerstore, file))).toString(8)} ${file}`),
    )
    await opened.close()
    expect(files).toContain('CURRENT')
    expect(modes.filter((line) => !line.startsWith('600 '))).toEqual([])
  })
})
