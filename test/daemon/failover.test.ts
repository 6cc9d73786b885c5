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
})
