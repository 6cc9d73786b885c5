/**
 * Tokens on real `patternmesh start` child processes: both are generated into the data dir on
 * first start (0600), the read token reads and cannot write, a flag or environment token is
 * used as given, and no token ever appears in the logs.
 */
import { readFile, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { DaemonFixture, type DaemonProcess } from '../helpers/daemon.js'
import { until } from '../helpers/until.js'

const fixture = new DaemonFixture()
afterEach(async () => await fixture.cleanup())

const SHARED = [
  '--seed',
  'tokens-daemon-test',
  '--mesh-id',
  'tokens',
  '--listen',
  '/ip4/127.0.0.1/tcp/0',
]

async function post(daemon: DaemonProcess, token: string): Promise<number> {
  const res = await fetch(`${daemon.apiUrl}/v1/messages`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` },
    body: '{"data":"hello"}',
  })
  return res.status
}

/** Everything the daemon wrote: its JSON log lines and stderr. */
function output(daemon: DaemonProcess): string {
  return JSON.stringify(daemon.logs) + daemon.stderr.join('\n')
}

describe('tokens of a daemon', () => {
  it('generates both tokens (0600) on first start; the read one reads and cannot write; no token is logged', async () => {
    const daemon = await fixture.daemon(SHARED)
    const admin = await daemon.token()
    const readPath = join(daemon.dataDir, 'api-read-token')
    const read = (await readFile(readPath, 'utf8')).trim()
    expect(read).toMatch(/^[A-Za-z0-9_-]{43}$/)
    expect(read).not.toBe(admin)
    expect((await stat(readPath)).mode & 0o777).toBe(0o600)
    expect((await stat(join(daemon.dataDir, 'api-token'))).mode & 0o777).toBe(0o600)
    const status = await fetch(`${daemon.apiUrl}/v1/status`, {
      headers: { Authorization: `Bearer ${read}` },
    })
    expect(status.status).toBe(200)
    await until(async () => (await fetch(`${daemon.apiUrl}/ready`)).status === 200, {
      timeout: 10_000,
      message: 'ready',
    })
    expect(await post(daemon, read)).toBe(403)
    expect(await post(daemon, admin)).toBe(202)
    // The log says where the tokens are, never what they are.
    const line = daemon.logs.find((l) => l.msg.startsWith('control API: dashboard'))!
    expect(line['token']).toBe(join(daemon.dataDir, 'api-token'))
    expect(line['readToken']).toBe(readPath)
    expect(output(daemon)).not.toContain(admin)
    expect(output(daemon)).not.toContain(read)
  }, 40_000)

  it('takes --api-read-token as given (no file written) and PATTERNMESH_API_READ_TOKEN, never logging them', async () => {
    const flag = 'read-token-from-the-flag-0123'
    const daemon = await fixture.daemon([...SHARED, '--api-read-token', flag])
    await expect(stat(join(daemon.dataDir, 'api-read-token'))).rejects.toThrow(/ENOENT/)
    expect(await post(daemon, flag)).toBe(403)
    expect(daemon.logs.find((l) => l.msg.startsWith('control API: dashboard'))!['readToken']).toBe(
      'configured',
    )
    const fromEnv = 'read-token-from-the-env-4567'
    const other = await fixture.daemon(SHARED, { PATTERNMESH_API_READ_TOKEN: fromEnv })
    const status = await fetch(`${other.apiUrl}/v1/events`, {
      headers: { Authorization: `Bearer ${fromEnv}` },
    })
    expect(status.status).toBe(426) // accepted: a plain GET of the stream is told to upgrade
    for (const d of [daemon, other]) {
      expect(output(d)).not.toContain(flag)
      expect(output(d)).not.toContain(fromEnv)
    }
  }, 40_000)
})
