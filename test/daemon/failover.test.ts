import { afterEach, describe, expect, it } from 'vitest'
import { DaemonFixture, type DaemonProcess } from '../helpers/daemon.js'
import { until } from '../helpers/until.js'

const fixture = new DaemonFixture()
afterEach(async () => await fixture.cleanup())

const TIMING = {
  PATTERNMESH_HEARTBEAT_INTERVAL_MS: '250',
  PATTERNMESH_SUSPECT_AFTER: '2',
  PATTERNMESH_DEAD_AFTER: '4',
}

interface Status {
  peerId: string
  principal: string | null
  term: number
}

async function principals(daemons: DaemonProcess[]): Promise<Status[]> {
  return await Promise.all(daemons.map(async (d) => await d.get<Status>('/v1/status')))
}

async function agreeOn(daemons: DaemonProcess[], principal: string): Promise<boolean> {
  return (await principals(daemons)).every((s) => s.principal === principal)
}

describe('principal failover (child processes)', () => {
  it('SIGKILL of the principal: the next heaviest takes over and every survivor agrees', async () => {
    const weights = [50, 40, 30, 20, 10]
    const daemons: DaemonProcess[] = []
    for (const weight of weights) {
      // Each bootstraps to every earlier one: the mesh survives the loss of any node.
      const bootstrap = daemons.flatMap((d) => ['--bootstrap', d.listen[0]!])
      daemons.push(
        await fixture.daemon(
          [
            '--seed',
            'failover',
            '--listen',
            '/ip4/127.0.0.1/tcp/0',
            '--weight',
            String(weight),
            ...bootstrap,
          ],
          TIMING,
        ),
      )
    }
    const [heaviest, next, ...rest] = daemons as [DaemonProcess, DaemonProcess, ...DaemonProcess[]]
    await until(async () => await agreeOn(daemons, heaviest.peerId), {
      timeout: 20_000,
      message: 'heaviest elected',
    })

    expect(await heaviest.signal('SIGKILL')).toBeNull()
    const survivors = [next, ...rest]
    await until(async () => await agreeOn(survivors, next.peerId), {
      timeout: 15_000,
      message: 'next heaviest elected',
    })
    const terms = (await principals(survivors)).map((s) => s.term)
    expect(new Set(terms).size).toBe(1)

    // Settled: ten looks in a row (100 ms apart) find every survivor naming the same principal.
    let agreeing = 0
    await until(
      async () => {
        agreeing = (await agreeOn(survivors, next.peerId)) ? agreeing + 1 : 0
        return agreeing >= 10
      },
      { timeout: 10_000, interval: 100, message: 'a settled principal' },
    )
  })

  it('SIGTERM of the principal: its leaving heartbeat names the next heaviest everywhere within one heartbeat interval', async () => {
    // Slow heartbeats: the failure detector would take 4.5 s; the hand-over must not wait for it.
    const interval = 1500
    const timing = { ...TIMING, PATTERNMESH_HEARTBEAT_INTERVAL_MS: String(interval) }
    const daemons: DaemonProcess[] = []
    for (const weight of [30, 20, 10]) {
      const bootstrap = daemons.flatMap((d) => ['--bootstrap', d.listen[0]!])
      daemons.push(
        await fixture.daemon(
          [
            '--seed',
            'leave',
            '--listen',
            '/ip4/127.0.0.1/tcp/0',
            '--weight',
            String(weight),
            ...bootstrap,
          ],
          timing,
        ),
      )
    }
    const [heaviest, next, last] = daemons as [DaemonProcess, DaemonProcess, DaemonProcess]
    await until(async () => await agreeOn(daemons, heaviest.peerId), {
      timeout: 30_000,
      message: 'heaviest elected',
    })
    const term = (await heaviest.get<Status>('/v1/status')).term
    const stopping = heaviest.signal('SIGTERM')
    await until(async () => await agreeOn([next, last], next.peerId), {
      timeout: interval,
      interval: 50,
      message: 'the next heaviest named by every survivor within one interval of SIGTERM',
    })
    expect(await stopping).toBe(0)
    expect((await principals([next, last])).map((s) => s.term)).toEqual([term + 1, term + 1])
    const peers = await next.get<{ peers: Array<{ peerId: string; status: string }> }>('/v1/peers')
    expect(peers.peers.find((p) => p.peerId === heaviest.peerId)?.status).toBe('left')
  })
})
