/**
 * Advice through real `patternmesh start` child processes: the `advise` CLI against a daemon
 * (issue, list, bad payload, rollback, audit log), and SIGKILL of the principal while it
 * issues advice: after restart and re-election nothing acknowledged is lost.
 */
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import type { AdviceView } from '../../src/advice/index.js'
import { cli } from '../cli/run-cli.js'
import { DaemonFixture, DaemonProcess } from '../helpers/daemon.js'
import { until } from '../helpers/until.js'

const fixture = new DaemonFixture()
afterEach(async () => await fixture.cleanup())

const TIMING = {
  PATTERNMESH_HEARTBEAT_INTERVAL_MS: '250',
  PATTERNMESH_SUSPECT_AFTER: '2',
  PATTERNMESH_DEAD_AFTER: '4',
}

/** Daemons of the given weights, each bootstrapping to every earlier one. */
async function cluster(seed: string, weights: number[]): Promise<DaemonProcess[]> {
  const daemons: DaemonProcess[] = []
  for (const weight of weights) {
    const bootstrap = daemons.flatMap((d) => ['--bootstrap', d.listen[0]!])
    daemons.push(
      await fixture.daemon(
        [
          '--seed',
          seed,
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
  return daemons
}

async function principalOf(daemons: DaemonProcess[]): Promise<string | undefined> {
  const views = await Promise.all(
    daemons.map(async (d) => await d.get<{ principal: string | null }>('/v1/status')),
  )
  const set = new Set(views.map((v) => v.principal))
  return set.size === 1 ? (views[0]!.principal ?? undefined) : undefined
}

async function adviceAt(daemon: DaemonProcess): Promise<AdviceView[]> {
  return (await daemon.get<{ advice: AdviceView[] }>('/v1/advice')).advice
}

describe('advice with daemons (child processes)', () => {
  it('the advise CLI issues, lists, refuses a bad payload before sending, and rolls back', async () => {
    const daemons = await cluster('advise-cli', [10, 20])
    await until(async () => (await principalOf(daemons)) !== undefined, {
      timeout: 20_000,
      message: 'principal elected',
    })
    const [member] = daemons as [DaemonProcess]
    const token = await member.token()
    // `*` is resolved against the principal's member table: wait until both know each other.
    await until(
      async () =>
        (
          await Promise.all(
            daemons.map(
              async (d) =>
                (await d.get<{ members: { alive: number } }>('/v1/status')).members.alive,
            ),
          )
        ).every((alive) => alive === daemons.length),
      { timeout: 20_000, message: 'both daemons in each member table' },
    )

    const issued = await cli(
      'advise',
      member.apiUrl,
      '--type',
      'CONFIG',
      '--target',
      '*',
      '--payload',
      '{"heartbeatIntervalMs":500}',
      '--ttl',
      '60s',
      '--token',
      token,
    )
    expect(issued.stderr).toBe('')
    expect(issued.code).toBe(0)
    const id = /advice issued: (\S+)/.exec(issued.stdout)![1]!
    await until(
      async () => (await adviceAt(member)).find((a) => a.id === id)?.status === 'accepted',
      {
        timeout: 10_000,
        message: 'accepted by both',
      },
    )
    const listed = await cli('advise', member.apiUrl, '--list')
    expect(listed.code).toBe(0)
    expect(listed.stdout).toContain(`${id}  CONFIG  ACCEPTED  2 accepted, 0 rejected, 0 pending`)
    for (const d of daemons) expect(listed.stdout).toContain(`  ${d.peerId}  accepted`)

    // A bad payload: exit 2, one line, nothing sent.
    const bad = await cli(
      'advise',
      member.apiUrl,
      '--type',
      'CONFIG',
      '--target',
      '*',
      '--payload',
      '{"heartbeatIntervalMs":"fast"}',
      '--token',
      token,
    )
    expect(bad.code).toBe(2)
    expect(bad.stderr).toMatch(
      /^patternmesh: error: CONFIG advice: heartbeatIntervalMs must be integer\n$/,
    )
    const unknown = await cli(
      'advise',
      member.apiUrl,
      '--type',
      'CONFIG',
      '--target',
      '*',
      '--payload',
      '{"nope":1}',
      '--token',
      token,
    )
    expect(unknown.code).toBe(2)
    expect(unknown.stderr).toContain('unknown key "nope"')
    expect(await adviceAt(member)).toHaveLength(1)

    // The token from the environment; a rollback.
    process.env['PATTERNMESH_API_TOKEN'] = token
    try {
      const rolled = await cli('advise', member.apiUrl, '--rollback', id)
      expect(rolled.code).toBe(0)
      const rollbackId = /issued: (\S+)/.exec(rolled.stdout)![1]!
      await until(
        async () =>
          (await adviceAt(daemons[1]!)).find((a) => a.id === rollbackId)?.status === 'accepted',
        {
          timeout: 10_000,
          message: 'rollback accepted',
        },
      )
    } finally {
      delete process.env['PATTERNMESH_API_TOKEN']
    }

    // The audit log of the node that took the requests: who, when, what, outcome.
    const audit = (await readFile(join(member.dataDir, 'advice-audit.jsonl'), 'utf8'))
      .trim()
      .split('\n')
      .map(
        (line) => JSON.parse(line) as { event: string; id?: string; who?: string; outcome: string },
      )
    expect(
      audit.filter((e) => e.event === 'issue' && e.outcome === 'stamped').map((e) => e.id),
    ).toEqual([id])
    expect(
      audit.some((e) => e.event === 'outcome' && e.id === id && e.outcome === 'accepted'),
    ).toBe(true)
    expect(audit.some((e) => e.event === 'rollback' && e.outcome === 'stamped')).toBe(true)
    expect(audit.every((e) => typeof e.who === 'string')).toBe(true)
  })

  it('SIGKILL of the principal while it issues advice: nothing acknowledged is lost', async () => {
    const daemons = await cluster('advice-kill', [10, 20, 30])
    let elected: string | undefined
    await until(async () => (elected = await principalOf(daemons)) !== undefined, {
      timeout: 20_000,
      message: 'principal elected',
    })
    const principal = daemons.find((d) => d.peerId === elected)!
    const survivors = daemons.filter((d) => d !== principal)
    const acknowledged: string[] = []
    let killed = false
    // Four clients at once, so that the kill lands with requests in flight.
    let next = 0
    const issuing = Promise.all(
      [0, 1, 2, 3].map(async () => {
        while (!killed) {
          const i = next++
          try {
            const answer = await principal.post<{ id: string }>('/v1/advice', {
              type: 'UPDATE',
              target: ['*'],
              payload: { key: `k${i}`, value: i },
              ttlMs: 120_000,
            })
            if (answer.status === 202) acknowledged.push(answer.body.id)
          } catch {
            return // the process is gone
          }
        }
      }),
    )
    await until(() => acknowledged.length >= 30, { timeout: 20_000, message: '30 acknowledged' })
    killed = true
    expect(await principal.signal('SIGKILL')).toBeNull()
    await issuing
    await until(async () => (await principalOf(survivors)) !== undefined, {
      timeout: 15_000,
      message: 're-election',
    })
    // The same data dir (identity, role state, advice log), bootstrapping to the survivors.
    const restarted = new DaemonProcess(
      principal.dataDir,
      [...principal.args, ...survivors.flatMap((d) => ['--bootstrap', d.listen[0]!])],
      principal.env,
    )
    fixture.daemons.push(restarted)
    await restarted.start()
    expect(restarted.peerId).toBe(principal.peerId)
    const all = [...survivors, restarted]
    await until(async () => (await principalOf(all)) !== undefined, {
      timeout: 20_000,
      message: 'agreement after restart',
    })
    for (const d of all) {
      await until(
        async () => {
          const held = new Set((await adviceAt(d)).map((a) => a.id))
          return acknowledged.every((id) => held.has(id))
        },
        {
          timeout: 20_000,
          message: `all ${acknowledged.length} acknowledged advices at ${d.peerId}`,
        },
      )
    }
    console.info(
      `SIGKILL: ${acknowledged.length} acknowledged advices, all present on 3 daemons after restart`,
    )
  })
})
