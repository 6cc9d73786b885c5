/**
 * `patternmesh observe --json` and `patternmesh status` against a live daemon (child
 * processes): a real forgery from an in-process forging node appears as an anomaly line, and
 * the observer keeps going across a daemon restart; SIGINT ends it with exit 0.
 */
import { spawn, type ChildProcessByStdio } from 'node:child_process'
import { createServer } from 'node:net'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import type { Readable } from 'node:stream'
import { afterEach, describe, expect, inject, it } from 'vitest'
import type { MeshPeer as MeshNode } from '../../src/peer/mesh-peer.js'
import { packageInfo } from '../../src/util/package-root.js'
import { ATTACKER_LIBP2P } from '../helpers/attackers.js'
import { DaemonFixture, type DaemonProcess } from '../helpers/daemon.js'
import { MeshFixture } from '../helpers/mesh.js'
import { until } from '../helpers/until.js'

const BIN = join(packageInfo().root, 'bin', 'patternmesh.js')
const daemons = new DaemonFixture()
const mesh = new MeshFixture()
const children: Array<ChildProcessByStdio<null, Readable, Readable>> = []
afterEach(async () => {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill('SIGKILL')
  await mesh.stopAll()
  await daemons.cleanup()
})

async function freePort(): Promise<number> {
  return await new Promise((resolve) => {
    const server = createServer()
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number }
      server.close(() => resolve(port))
    })
  })
}

const daemonArgs = (apiPort: number): string[] => [
  '--seed',
  'observe-test',
  '--mesh-id',
  'test',
  '--listen',
  '/ip4/127.0.0.1/tcp/0',
  '--api',
  `127.0.0.1:${apiPort}`,
  '--log-level',
  'info',
]

function runCliChild(args: string[], env: Record<string, string> = {}) {
  const child = spawn(process.execPath, [BIN, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, NO_COLOR: '1', ...env },
  })
  children.push(child)
  const out: string[] = []
  const err: string[] = []
  createInterface({ input: child.stdout }).on('line', (line) => out.push(line))
  createInterface({ input: child.stderr }).on('line', (line) => err.push(line))
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => resolve(code)),
  )
  return { child, out, err, exited }
}

/** Forges until the daemon's observer has reported it (the forger dials the daemon first). */
async function forgeAgainst(forger: MeshNode, daemon: DaemonProcess): Promise<void> {
  await forger.libp2p.dial((await import('@multiformats/multiaddr')).multiaddr(daemon.listen[0]!), {
    signal: AbortSignal.timeout(5000),
  })
  await until(
    async () => {
      await forger.broadcast('forged').catch(() => undefined)
      const { anomalies } = await daemon.get<{ anomalies: Array<{ peerId: string }> }>(
        `/v1/anomalies?kind=PATTERN_MISMATCH&peer=${forger.peerId}`,
      )
      return anomalies.length > 0
    },
    { timeout: 15_000, interval: 200, message: 'the daemon reports the forgery' },
  )
}

describe('patternmesh observe and status (child processes)', () => {
  it('prints an anomaly line after a forgery, and keeps going across a daemon restart', async () => {
    expect(inject('distBuild').output).toBe('')
    const port = await freePort()
    const daemon = await daemons.daemon(daemonArgs(port))
    const token = await daemon.token()
    const observe = runCliChild(['observe', daemon.apiUrl, '--json'], {
      PATTERNMESH_API_TOKEN: token,
    })
    await until(() => observe.err.some((line) => line.includes('connected to')), {
      timeout: 10_000,
      message: 'observe connected',
    })
    const forger = await mesh.node({ seed: 'not-the-mesh-key' }, { libp2p: ATTACKER_LIBP2P })
    await forgeAgainst(forger, daemon)
    const anomalyLines = (): Array<Record<string, unknown>> =>
      observe.out
        .map((line) => JSON.parse(line) as Record<string, unknown>)
        .filter((frame) => frame['type'] === 'anomaly' && frame['peerId'] === forger.peerId)
    await until(() => anomalyLines().some((f) => f['kind'] === 'PATTERN_MISMATCH'), {
      timeout: 10_000,
      message: 'an anomaly line on stdout',
    })
    expect(anomalyLines()[0]).toMatchObject({ severity: 'critical', step: expect.any(Number) })

    // Restart the daemon on the same API port: observe reconnects by itself.
    await daemon.stop()
    await until(() => observe.err.some((line) => /closed|unreachable/.test(line)), {
      timeout: 10_000,
      message: 'observe saw the stream end',
    })
    const before = anomalyLines().length
    await daemon.start()
    await until(() => observe.err.filter((line) => line.includes('connected to')).length >= 2, {
      timeout: 20_000,
      message: 'observe reconnected',
    })
    await forgeAgainst(forger, daemon)
    await until(() => anomalyLines().length > before, {
      timeout: 10_000,
      message: 'an anomaly line after the restart',
    })

    observe.child.kill('SIGINT')
    expect(await observe.exited).toBe(0)
  }, 90_000)

  it('status prints the node and its members; an observer daemon refuses to publish', async () => {
    const daemon = await daemons.daemon([...daemonArgs(0), '--observer'])
    const member = await mesh.node({ seed: 'observe-test' }, { services: {} })
    await member.libp2p.dial(
      (await import('@multiformats/multiaddr')).multiaddr(daemon.listen[0]!),
      { signal: AbortSignal.timeout(5000) },
    )
    await until(
      async () =>
        (await daemon.get<{ peers: Array<{ peerId: string }> }>('/v1/peers')).peers.some(
          (p) => p.peerId === member.peerId,
        ),
      { timeout: 10_000, message: 'the member in the observer table' },
    )
    // The member sees the daemon as an observer (its heartbeats say so).
    await until(
      () => member.members?.members().some((m) => m.id === daemon.peerId && m.observer) === true,
      {
        timeout: 10_000,
        message: 'heartbeats announce the observer',
      },
    )

    const sent = await daemon.post<{ error: { code: string } }>('/v1/messages', { data: 'x' })
    expect(sent.status).toBe(409)
    expect(sent.body.error.code).toBe('OBSERVER_MODE')

    const text = runCliChild(['status', daemon.apiUrl])
    expect(await text.exited).toBe(0)
    const output = text.out.join('\n')
    expect(output).toContain(`${daemon.peerId} (observer)`)
    expect(output).toMatch(/PEER\s+STATUS\s+ROLE/)
    expect(output).toContain(member.peerId)

    const json = runCliChild(['status', daemon.apiUrl, '--json'])
    expect(await json.exited).toBe(0)
    const parsed = JSON.parse(json.out.join('\n')) as {
      status: { observer: boolean; roles: string[] }
      network: { totalNodes: number }
    }
    expect(parsed.status).toMatchObject({ observer: true, roles: ['observer'] })
    expect(parsed.network.totalNodes).toBeGreaterThanOrEqual(2)

    const down = runCliChild(['status', 'http://127.0.0.1:1'])
    expect(await down.exited).toBe(1)
    expect(down.err.join('\n')).toMatch(/^patternmesh: error: cannot reach/)
  }, 60_000)
})
