/**
 * The README's layout with real daemons: four bootstrapped to n1 connect to each other, and
 * killing n1 (SIGKILL) leaves one mesh with one principal, where messages still travel.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { DaemonFixture, type DaemonProcess } from '../helpers/daemon.js'
import { until } from '../helpers/until.js'

const fixture = new DaemonFixture()
afterEach(async () => await fixture.cleanup())

const HEARTBEAT_MS = 300
const DEAD_AFTER = 4
const COMMON = [
  '--seed',
  'peers-daemons',
  '--listen',
  '/ip4/127.0.0.1/tcp/0',
  '--log-level',
  'info',
]
const ENV = {
  PATTERNMESH_HEARTBEAT_INTERVAL_MS: String(HEARTBEAT_MS),
  PATTERNMESH_SUSPECT_AFTER: '2',
  PATTERNMESH_DEAD_AFTER: String(DEAD_AFTER),
  PATTERNMESH_MDNS: 'false',
}

interface Status {
  connectedPeers: number
  ready: boolean
  principal: string | null
}

const status = async (d: DaemonProcess): Promise<Status> => await d.get<Status>('/v1/status')

describe('daemons bootstrapped to one node', () => {
  it('connect to each other, and stay one mesh with one principal when n1 is killed', async () => {
    // n1 the heaviest: it is the principal, so killing it takes a failover.
    const n1 = await fixture.daemon([...COMMON, '--weight', '10'], ENV)
    const others: DaemonProcess[] = []
    for (let i = 0; i < 3; i++) {
      others.push(await fixture.daemon([...COMMON, '--bootstrap', n1.listen[0]!], ENV))
    }
    const all = [n1, ...others]
    await until(
      async () =>
        (await Promise.all(all.map(status))).every((s) => s.ready && s.connectedPeers >= 2),
      { timeout: 30_000, message: 'every daemon ready with at least 2 connections' },
    )

    await until(
      async () => (await Promise.all(all.map(status))).every((s) => s.principal === n1.peerId),
      {
        timeout: 15_000,
        message: 'n1 principal everywhere',
      },
    )

    expect(await n1.signal('SIGKILL')).not.toBe(0)
    // One principal again within deadAfter heartbeats and a second (the bound).
    await until(
      async () => {
        const principals = new Set((await Promise.all(others.map(status))).map((s) => s.principal))
        const [principal] = principals
        return principals.size === 1 && principal != null && principal !== n1.peerId
      },
      {
        timeout: DEAD_AFTER * HEARTBEAT_MS + 1000,
        interval: 50,
        message: 'n2, n3, n4 agree on one principal, not n1',
      },
    )
    await until(
      async () => (await Promise.all(others.map(status))).every((s) => s.connectedPeers === 2),
      {
        timeout: 20_000,
        message: 'n2, n3, n4 connected to each other',
      },
    )

    const [n2, n3, n4] = others as [DaemonProcess, DaemonProcess, DaemonProcess]
    const streams = await Promise.all([n3, n4].map(async (d) => await d.events('message')))
    const sent = await n2.post<{ id: string }>('/v1/messages', { data: 'without n1' })
    expect(sent.status).toBe(202)
    await until(
      () =>
        streams.every((s) =>
          s.frames.some((f) => f['type'] === 'message' && f['data'] === 'without n1'),
        ),
      { timeout: 15_000, message: "n2's message at n3 and n4" },
    )
    for (const stream of streams) stream.close()
  })
})
