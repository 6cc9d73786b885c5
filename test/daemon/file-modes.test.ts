/**
 * Everything a `patternmesh start` child process writes in its data dir is its user's alone,
 * whatever the umask it was started with: directories 0700, files 0600, the LevelDB files of
 * the peer store included (LevelDB creates them with the process's umask: 0644 under the usual
 * 022, as a shell or `docker run` gives it; the daemon runs with umask 0077).
 */
import { readFile, readdir, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { DaemonFixture } from '../helpers/daemon.js'

const fixture = new DaemonFixture()
afterEach(async () => await fixture.cleanup())

/** `mode path` of every entry under `dir` (itself included), paths relative to it. */
async function modesUnder(dir: string, relative = '.'): Promise<string[]> {
  const path = join(dir, relative)
  const info = await stat(path)
  const line = `${(info.mode & 0o777).toString(8)} ${relative}`
  if (!info.isDirectory()) return [line]
  const entries = await readdir(path)
  const nested = await Promise.all(
    entries.map(async (e) => await modesUnder(dir, join(relative, e))),
  )
  return [line, ...nested.flat()]
}

describe('the data dir of a daemon started with umask 022', () => {
  it('holds only 0700 directories and 0600 files, the peer store’s too', async () => {
    const daemon = await fixture.daemon(
      ['--seed', 'file-modes', '--listen', '/ip4/127.0.0.1/tcp/0', '--log-level', 'info'],
      {},
      { launcher: ['sh', '-c', 'umask 022 && exec "$@"', 'sh'] },
    )
    // LevelDB makes files as it runs (flushes, compactions): they follow the process's umask.
    const status = await readFile(`/proc/${daemon.pid!}/status`, 'utf8')
    expect(/^Umask:\s*(\d+)$/m.exec(status)?.[1]).toBe('0077')
    expect(await daemon.signal('SIGTERM')).toBe(0)
    const modes = await modesUnder(daemon.dataDir)
    // The peer store is there, with LevelDB's files in it.
    expect(modes).toContainEqual(expect.stringMatching(/^\d+ peerstore\/CURRENT$/))
    const open = modes.filter((line) => !/^(700|600) /.test(line))
    expect(open).toEqual([])
  })
})
