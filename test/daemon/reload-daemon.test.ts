/**
 * SIGHUP on a real `patternmesh start` child process: the changed heartbeat interval reaches
 * a peer (it times us by the interval our heartbeats announce), a restart-only key is
 * reported, a broken file is refused with one log line, and the process lives through all.
 */
import { execFileSync } from 'node:child_process'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { DaemonFixture, DaemonProcess } from '../helpers/daemon.js'
import { until } from '../helpers/until.js'

const fixture = new DaemonFixture()
afterEach(async () => await fixture.cleanup())

let dir: string
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'pm-reload-'))
})
afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

const SHARED = { meshId: 'reload', seed: 'reload-daemon-test' }
const LISTEN = ['--listen', '/ip4/127.0.0.1/tcp/0', '--log-level', 'info']

interface PeersReply {
  peers: Array<{ peerId: string; heartbeatIntervalMs?: number | null }>
}

/** The heartbeat interval `observer` sees `subject` announce. */
async function intervalSeen(observer: DaemonProcess, subject: DaemonProcess): Promise<unknown> {
  const reply = await observer.get<PeersReply>('/v1/peers')
  return reply.peers.find((p) => p.peerId === subject.peerId)?.heartbeatIntervalMs
}

function hangUp(daemon: DaemonProcess): void {
  process.kill(daemon.pid!, 'SIGHUP')
}

describe('SIGHUP reloads the config of a running daemon', () => {
  it('applies live keys, reports restart keys, refuses a broken file, and keeps running', async () => {
    const file = join(dir, 'node.json')
    await writeFile(file, JSON.stringify({ ...SHARED, heartbeatIntervalMs: 1000 }))
    const a = await fixture.daemon(['--config', file, ...LISTEN])
    const b = await fixture.daemon([
      '--seed',
      SHARED.seed,
      '--mesh-id',
      SHARED.meshId,
      ...LISTEN,
      '--bootstrap',
      a.listen[0]!,
    ])
    await until(async () => (await intervalSeen(b, a)) === 1000, {
      timeout: 20_000,
      message: 'b sees a announce 1000 ms',
    })

    // A live key and a restart-only key; the flags (--listen, --log-level) still win.
    await writeFile(
      file,
      JSON.stringify({ ...SHARED, heartbeatIntervalMs: 300, cacheSize: 4096, logLevel: 'warn' }),
    )
    hangUp(a)
    await until(() => a.logs.some((l) => l.msg.startsWith('config reloaded')), {
      timeout: 10_000,
      message: 'the reload log line',
    })
    const reloaded = a.logs.find((l) => l.msg.startsWith('config reloaded'))!
    expect(reloaded['applied']).toEqual(['heartbeatIntervalMs'])
    expect(reloaded['needsRestart']).toEqual(['cacheSize'])
    expect(reloaded['changed']).toEqual({
      cacheSize: { from: 1024, to: 4096 },
      heartbeatIntervalMs: { from: 1000, to: 300 },
    }) // no logLevel: --log-level on the command line wins over the file
    await until(async () => (await intervalSeen(b, a)) === 300, {
      timeout: 10_000,
      message: 'b sees a announce 300 ms after the reload',
    })
    const status = await a.get<{ configReload: { reloads: number; needsRestart: string[] } }>(
      '/v1/status',
    )
    expect(status.configReload).toMatchObject({ reloads: 1, needsRestart: ['cacheSize'] })

    // A broken file: one clear line, the process lives, the running config stays.
    await writeFile(file, '{ "meshId": "reload", "heartbeatIntervalMs": ')
    hangUp(a)
    await until(() => a.logs.some((l) => l.msg.startsWith('config reload refused')), {
      timeout: 10_000,
      message: 'the refusal log line',
    })
    const refused = a.logs.filter((l) => l.msg.startsWith('config reload refused'))
    expect(refused).toHaveLength(1)
    expect(refused[0]!.msg).toMatch(/running config kept: config file .*node\.json: not valid JSON/)
    expect(refused[0]!.level).toBe(50)
    // A value the schema refuses: named by key.
    await writeFile(file, JSON.stringify({ ...SHARED, heartbeatIntervalMs: 5 }))
    hangUp(a)
    await until(
      () => a.logs.filter((l) => l.msg.startsWith('config reload refused')).length === 2,
      {
        timeout: 10_000,
        message: 'the second refusal',
      },
    )
    expect(a.logs.filter((l) => l.msg.startsWith('config reload refused'))[1]!.msg).toMatch(
      /config file .*node\.json: heartbeatIntervalMs must be >= 10/,
    )

    expect(a.exitCode).toBeUndefined()
    expect((await fetch(`${a.apiUrl}/health`)).status).toBe(200)
    expect(await intervalSeen(b, a)).toBe(300)
    expect(
      (await a.get<{ configReload: { reloads: number } }>('/v1/status')).configReload.reloads,
    ).toBe(1)

    // Still stops cleanly on SIGTERM.
    expect(await a.signal('SIGTERM')).toBe(0)
  })

  it('a SIGHUP while the daemon is still loading does not kill it: it reloads once started', async () => {
    // The config file is a FIFO: the daemon's start blocks reading it until the test writes,
    // which holds the process before its reload handler exists, with its modules loading.
    const fifo = join(dir, 'early.fifo')
    execFileSync('mkfifo', [fifo])
    const daemon = new DaemonProcess(join(dir, 'early-data'), ['--config', fifo, ...LISTEN])
    try {
      const starting = daemon.start()
      // bin/patternmesh.js holds hangups first thing; without that, this HUP would kill it.
      await until(async () => await catchesHangup(daemon.pid!), {
        interval: 5,
        message: 'SIGHUP caught while the start reads its config',
      })
      hangUp(daemon)
      await writeFile(fifo, JSON.stringify({ ...SHARED, heartbeatIntervalMs: 1000 }))
      await starting // throws if the daemon died
      // The held hangup: one reload once started, which reads the file again.
      await writeFile(fifo, JSON.stringify({ ...SHARED, heartbeatIntervalMs: 400 }))
      await until(() => daemon.logs.some((l) => l.msg.startsWith('config reloaded')), {
        timeout: 10_000,
        message: 'the held reload done after the start',
      })
      expect(daemon.logs.find((l) => l.msg.startsWith('config reloaded'))!['applied']).toEqual([
        'heartbeatIntervalMs',
      ])
      expect(daemon.exitCode).toBeUndefined()
      expect((await fetch(`${daemon.apiUrl}/health`)).status).toBe(200)
    } finally {
      await daemon.stop()
    }
  })
})

/** Whether the process has a SIGHUP handler (bit 0 of SigCgt in /proc/<pid>/status). */
async function catchesHangup(pid: number): Promise<boolean> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8')
  const mask = /^SigCgt:\s*([0-9a-f]+)$/m.exec(status)?.[1]
  return mask !== undefined && (BigInt(`0x${mask}`) & 1n) === 1n
}
