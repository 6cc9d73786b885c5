/**
 * Daemons on real hosts: one network namespace per host, joined by a bridge (DESIGN §12). A
 * bootstrap address is a way in, never a centre: the mesh outlives its bootstrap node and a
 * cut cable, and mDNS alone forms it. Skipped, saying why, where namespaces cannot be made.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { DaemonFixture, type DaemonProcess } from '../helpers/daemon.js'
import { RealHosts, probeRealHosts } from '../helpers/real-hosts.js'
import { until } from '../helpers/until.js'

const probe = probeRealHosts()
if (!probe.ok)
  console.warn(`real-hosts tests skipped: cannot make network namespaces (${probe.why})`)

const TIMING = {
  PATTERNMESH_HEARTBEAT_INTERVAL_MS: '250',
  PATTERNMESH_SUSPECT_AFTER: '2',
  PATTERNMESH_DEAD_AFTER: '4',
}
const PORT = 4001

interface Status {
  peerId: string
  principal: string | null
  connectedPeers: number
  members: { alive: number; suspect: number; dead: number }
}

const hosts = new RealHosts()
const fixture = new DaemonFixture()
afterEach(async () => {
  await fixture.cleanup()
  await hosts.cleanup()
})

async function daemonOn(i: number, args: string[], env: Record<string, string> = {}) {
  return await fixture.daemon(
    ['--seed', 'real-hosts', '--listen', `/ip4/${hosts.address(i)}/tcp/${PORT}`, ...args],
    { ...TIMING, ...env },
    { launcher: hosts.launcher(i), request: hosts.request(i) },
  )
}

async function statuses(daemons: DaemonProcess[]): Promise<Status[]> {
  return await Promise.all(daemons.map(async (d) => await d.get<Status>('/v1/status')))
}

/** Every daemon names the same principal, one of them, and counts `alive` members. */
async function oneMesh(daemons: DaemonProcess[], alive = daemons.length): Promise<boolean> {
  const all = await statuses(daemons)
  const principal = all[0]!.principal
  return (
    principal !== null &&
    daemons.some((d) => d.peerId === principal) &&
    all.every((s) => s.principal === principal && s.members.alive === alive)
  )
}

/** Posts a message on `from` and waits until every one of `to` logged it as received. */
async function delivered(from: DaemonProcess, to: DaemonProcess[], text: string): Promise<void> {
  const sent = await from.post<{ id: string }>('/v1/messages', { data: text })
  expect(sent.status).toBe(202)
  await until(
    () =>
      to.every((d) => d.logs.some((l) => l.msg === 'message received' && l['id'] === sent.body.id)),
    { timeout: 10_000, message: `"${text}" received everywhere` },
  )
}

describe.skipIf(!probe.ok)('daemons on real hosts (network namespaces and a bridge)', () => {
  it('bootstrapped to h1 only: one mesh after h1 is killed, and after a cable is cut and mended', async () => {
    await hosts.create(4)
    const h1 = await daemonOn(0, [])
    const bootstrap = ['--bootstrap', `/ip4/${hosts.address(0)}/tcp/${PORT}`]
    const others = [
      await daemonOn(1, bootstrap),
      await daemonOn(2, bootstrap),
      await daemonOn(3, bootstrap),
    ]
    const [h2, h3, h4] = others as [DaemonProcess, DaemonProcess, DaemonProcess]
    await until(async () => await oneMesh([h1, ...others]), {
      timeout: 20_000,
      message: 'one mesh of 4',
    })
    // Each keeps connections of its own, not only the one to its bootstrap node.
    await until(async () => (await statuses(others)).every((s) => s.connectedPeers >= 2), {
      timeout: 20_000,
      message: 'every node with at least 2 connections',
    })

    expect(await h1.signal('SIGKILL')).toBeNull()
    await until(async () => await oneMesh(others), {
      timeout: 4 * 250 + 5_000,
      message: 'the three agree on one principal without h1',
    })
    await delivered(h2, [h3, h4], 'after h1 died')

    await hosts.cut(3)
    await until(async () => await oneMesh([h2, h3]), {
      timeout: 15_000,
      message: 'h2 and h3 carry on while h4 is cut off',
    })
    await hosts.mend(3)
    await until(async () => await oneMesh(others), {
      timeout: 20_000,
      message: 'h4 back in the one mesh after the mend',
    })
    await delivered(h4, [h2, h3], 'after the mend')
  })

  it('mDNS alone (no bootstrap addresses) forms one mesh across the hosts', async () => {
    await hosts.create(3)
    const mdns = { PATTERNMESH_MDNS: 'true' }
    const daemons = [
      await daemonOn(0, [], mdns),
      await daemonOn(1, [], mdns),
      await daemonOn(2, [], mdns),
    ]
    await until(async () => await oneMesh(daemons), {
      timeout: 30_000,
      message: 'one mesh of 3 by mDNS',
    })
    await delivered(daemons[2]!, daemons.slice(0, 2), 'found by mDNS')
  })
})
