/**
 * Failover: SIGKILL the principal of 5 daemons (heartbeatIntervalMs 250, deadAfter 4) and time
 * until every survivor names the same new principal; 20 trials. The killed daemon is restarted
 * (same data dir) between trials, so each trial kills the principal of a full mesh.
 */
import { execFileSync } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { DaemonProcess } from '../src/process/daemon-process.js'
import { freePort } from '../src/util/free-port.js'
import { packageInfo } from '../src/util/package-root.js'
import { median, table, type BenchCheck, type BenchContext, type BenchModule } from './harness.js'

const TRIALS = 20
const WEIGHTS = [50, 40, 30, 20, 10]
const ENV = {
  PATTERNMESH_HEARTBEAT_INTERVAL_MS: '250',
  PATTERNMESH_SUSPECT_AFTER: '2',
  PATTERNMESH_DEAD_AFTER: '4',
  PATTERNMESH_LOG_LEVEL: 'info',
}

interface Status {
  peerId: string
  principal: string | null
}

async function statuses(daemons: DaemonProcess[]): Promise<Status[]> {
  return await Promise.all(daemons.map(async (d) => await d.get<Status>('/v1/status')))
}

/** Polls until every daemon names one principal (other than `not`), or the deadline. */
async function agreement(
  daemons: DaemonProcess[],
  not: string | null,
  timeoutMs: number,
): Promise<string> {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    const named = new Set((await statuses(daemons)).map((s) => s.principal))
    const [only] = [...named]
    if (named.size === 1 && only !== null && only !== undefined && only !== not) return only
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
  throw new Error('the daemons did not agree on a principal in time')
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)]!
}

export const failoverBench: BenchModule = {
  name: 'failover',
  title: `SIGKILL of the principal, 5 daemons, heartbeat 250 ms, deadAfter 4: ${TRIALS} trials`,
  async run(ctx: BenchContext): Promise<BenchCheck[]> {
    execFileSync(
      process.execPath,
      [join(packageInfo().root, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json'],
      {
        cwd: packageInfo().root,
      },
    )
    const dir = await mkdtemp(join(tmpdir(), 'pm-bench-failover-'))
    const daemons: DaemonProcess[] = []
    const times: number[] = []
    try {
      // Fixed ports, everyone bootstraps to everyone: a restarted daemon is found again.
      const addrs = await Promise.all(
        WEIGHTS.map(async () => `/ip4/127.0.0.1/tcp/${await freePort()}`),
      )
      for (const [i, weight] of WEIGHTS.entries()) {
        const bootstrap = addrs.filter((_, j) => j !== i).flatMap((addr) => ['--bootstrap', addr])
        const daemon = new DaemonProcess(
          join(dir, `n${i}`),
          [
            '--seed',
            'bench-failover',
            '--listen',
            addrs[i]!,
            '--weight',
            String(weight),
            ...bootstrap,
          ],
          ENV,
        )
        daemons.push(await daemon.start())
      }
      let principal = await agreement(daemons, null, 20_000)
      for (let trial = 0; trial < TRIALS; trial++) {
        const victim = daemons.find((d) => d.peerId === principal)!
        const survivors = daemons.filter((d) => d !== victim)
        const killedAt = Date.now()
        await victim.signal('SIGKILL')
        principal = await agreement(survivors, principal, 15_000)
        times.push(Date.now() - killedAt)
        // Back to a full mesh (the killed one restarts with its identity) before the next trial.
        await victim.start()
        principal = await agreement(daemons, null, 20_000)
      }
    } finally {
      await Promise.all(daemons.map(async (d) => await d.stop()))
      await rm(dir, { recursive: true, force: true })
    }
    const p50 = median(times)
    const p99 = percentile(times, 0.99)
    for (const line of table(
      ['trials', 'min ms', 'p50 ms', 'p99 ms', 'max ms'],
      [
        [
          String(times.length),
          String(Math.min(...times)),
          String(Math.round(p50)),
          String(p99),
          String(Math.max(...times)),
        ],
      ],
    ))
      ctx.log(line)
    ctx.log(`each trial: ${times.join(', ')} ms`)
    return [
      {
        name: 'failover p99 (5 daemons)',
        target: '≤ 1,500 ms',
        actual: `${p99} ms`,
        passed: p99 <= 1500,
      },
    ]
  },
}
