/**
 * The README's "Three daemons on one machine" commands with `--config
 * configs/local-cluster.json`: the file sets `seed`, the command line `--key-file`; the flag
 * replaces the seed (it used to fail with "give either keyFile or seed, not both").
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { generateNetworkKeyHex } from '../../src/cli/commands/keygen.js'
import { DaemonFixture, type DaemonProcess } from '../helpers/daemon.js'
import { until } from '../helpers/until.js'

const fixture = new DaemonFixture()
afterEach(async () => await fixture.cleanup())

const CLUSTER_CONFIG = fileURLToPath(new URL('../../configs/local-cluster.json', import.meta.url))

let dir: string
let keyFile: string
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'pm-cluster-'))
  keyFile = join(dir, 'mesh.key')
  await writeFile(keyFile, generateNetworkKeyHex() + '\n', { mode: 0o600 })
})
afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

describe('configs/local-cluster.json with the README commands', () => {
  it('starts daemons on the key file (not the file’s seed) that form one mesh', async () => {
    // DaemonFixture adds --data-dir, --no-mdns and --api 127.0.0.1:0, as in the README.
    const common = [
      '--config',
      CLUSTER_CONFIG,
      '--key-file',
      keyFile,
      '--listen',
      '/ip4/127.0.0.1/tcp/0',
      '--log-level',
      'info',
    ]
    const n1 = await fixture.daemon(common)
    const n2 = await fixture.daemon([...common, '--bootstrap', n1.listen[0]!])
    for (const daemon of [n1, n2]) {
      // The seed warning is logged only when the network key comes from a seed.
      expect(daemon.logs.some((l) => l.msg.startsWith('using a seed'))).toBe(false)
      expect((await daemon.get<{ meshId: string }>('/v1/status')).meshId).toBe('local')
    }
    const ready = async (d: DaemonProcess): Promise<boolean> => {
      const s = await d.get<{ ready: boolean; connectedPeers: number }>('/v1/status')
      return s.ready && s.connectedPeers === 1
    }
    await until(async () => (await ready(n1)) && (await ready(n2)), {
      timeout: 20_000,
      message: 'n1 and n2 connected and ready',
    })
    const stream = await n1.events('message')
    try {
      expect((await n2.post('/v1/messages', { data: 'hello mesh' })).status).toBe(202)
      await until(() => stream.frames.some((f) => f['type'] === 'message'), {
        timeout: 20_000,
        message: 'n2’s message at n1',
      })
    } finally {
      stream.close()
    }
  })
})
