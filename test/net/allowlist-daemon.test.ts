/**
 * `allowPeers` on real `patternmesh start` child processes: changed in the config file, it
 * takes effect on SIGHUP; the connection to the peer no longer listed is closed, and its
 * redials are refused and logged.
 */
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { DaemonFixture } from '../helpers/daemon.js'
import { until } from '../helpers/until.js'

const fixture = new DaemonFixture()
afterEach(async () => await fixture.cleanup())
let dir: string
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'pm-allowlist-'))
})
afterAll(async () => await rm(dir, { recursive: true, force: true }))

const SHARED = [
  '--seed',
  'allowlist-daemon-test',
  '--mesh-id',
  'allowlist',
  '--listen',
  '/ip4/127.0.0.1/tcp/0',
]

describe('allowPeers on SIGHUP', () => {
  it('a reload that drops a peer from the list closes its connection and refuses it after', async () => {
    const file = join(dir, 'a.json')
    await writeFile(file, JSON.stringify({ allowPeers: [] }))
    const a = await fixture.daemon(['--config', file, ...SHARED, '--log-level', 'info'])
    const b = await fixture.daemon([...SHARED, '--bootstrap', a.listen[0]!])
    const connected = (peer: string): boolean =>
      a.logs.some((l) => l.msg === 'peer connected' && l['peer'] === peer)
    await until(() => connected(b.peerId), { timeout: 10_000, message: 'b connects to a' })

    // a itself and a peer that is not here: b is no longer allowed.
    const someoneElse = peerIdFromPrivateKey(await generateKeyPair('Ed25519')).toString()
    await writeFile(file, JSON.stringify({ allowPeers: [a.peerId, someoneElse] }))
    process.kill(a.pid!, 'SIGHUP')
    await until(() => a.logs.some((l) => l.msg === 'allowPeers changed'), {
      timeout: 10_000,
      message: 'the allowlist applied',
    })
    expect(a.logs.find((l) => l.msg.startsWith('config reloaded'))!['applied']).toEqual([
      'allowPeers',
    ])
    expect(a.logs.find((l) => l.msg === 'allowPeers changed')).toMatchObject({
      listed: 2,
      closed: 1,
    })
    await until(() => a.logs.some((l) => l.msg === 'peer disconnected' && l['peer'] === b.peerId), {
      timeout: 10_000,
      message: 'b disconnected',
    })
    // b's bootstrap dialer tries again: refused, and logged (throttled) with the peer id.
    await until(
      () =>
        a.logs.some(
          (l) => l.msg === 'connection refused: peer not in allowPeers' && l['peer'] === b.peerId,
        ),
      { timeout: 20_000, message: 'the refusal logged' },
    )
    const reconnects = a.logs.filter((l) => l.msg === 'peer connected' && l['peer'] === b.peerId)
    expect(reconnects).toHaveLength(1)
  }, 60_000)
})
