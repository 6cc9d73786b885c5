/**
 * Two processes over TCP loopback, 200-byte payloads: raw gossipsub (StrictSign, one message
 * per publish) against MeshNode broadcast (batched, every envelope verified), side by side.
 */
import { spawn, type ChildProcessByStdio } from 'node:child_process'
import type { Readable, Writable } from 'node:stream'
import { createInterface, type Interface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import {
  formatOps,
  table,
  type BenchCheck,
  type BenchContext,
  type BenchModule,
} from './harness.js'

const WORKER = fileURLToPath(new URL('./workers/pair-peer.ts', import.meta.url))

class Peer {
  private readonly child: ChildProcessByStdio<Writable, Readable, null>
  private readonly lines: Interface
  private readonly queue: string[] = []
  private waiting: ((line: string) => void) | undefined

  constructor(role: string, mode: string) {
    const prof =
      process.env['BENCH_CPU_PROF'] !== undefined
        ? ['--cpu-prof', `--cpu-prof-dir=${process.env['BENCH_CPU_PROF']}`]
        : []
    this.child = spawn(process.execPath, [...prof, '--import', 'tsx', WORKER, role, mode], {
      stdio: ['pipe', 'pipe', 'inherit'],
    })
    this.lines = createInterface({ input: this.child.stdout })
    this.lines.on('line', (line) => {
      if (this.waiting !== undefined) {
        const resolve = this.waiting
        this.waiting = undefined
        resolve(line)
      } else this.queue.push(line)
    })
  }

  async next<T>(timeoutMs = 60_000): Promise<T> {
    const line =
      this.queue.shift() ??
      (await new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('bench peer did not answer')), timeoutMs)
        this.waiting = (l) => {
          clearTimeout(timer)
          resolve(l)
        }
      }))
    return JSON.parse(line) as T
  }

  async ask<T>(cmd: Record<string, unknown>, timeoutMs?: number): Promise<T> {
    this.child.stdin.write(JSON.stringify(cmd) + '\n')
    return await this.next<T>(timeoutMs)
  }

  async close(): Promise<void> {
    const exited = new Promise((resolve) => this.child.once('exit', resolve))
    await this.ask({ cmd: 'stop' }, 10_000).catch(() => undefined)
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 5000)
    await exited
    clearTimeout(timer)
  }
}

interface Report {
  received: number
  p50: number
  p99: number
  spanMs: number
}

/** Polls the receiver until it has everything or stops receiving for a second. */
async function drain(receiver: Peer, sent: number): Promise<Report> {
  let report = await receiver.ask<Report>({ cmd: 'report' })
  let lastChange = Date.now()
  const deadline = Date.now() + 30_000
  while (report.received < sent && Date.now() - lastChange < 1500 && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 200))
    const next = await receiver.ask<Report>({ cmd: 'report' })
    if (next.received !== report.received) lastChange = Date.now()
    report = next
  }
  return report
}

interface ModeFigures {
  rate: number
  ratio: number
  paced: Report & { sent: number }
}

async function measure(mode: 'raw' | 'mesh', burstCount: number): Promise<ModeFigures> {
  const receiver = new Peer('receiver', mode)
  const sender = new Peer('sender', mode)
  try {
    const { addr } = await receiver.next<{ addr: string }>()
    await sender.next()
    await sender.ask({ cmd: 'connect', addr })
    await sender.ask({ cmd: 'burst', count: 200 }) // warm-up
    await drain(receiver, 200)
    await receiver.ask({ cmd: 'reset' })
    const burst = await sender.ask<{ sent: number }>({ cmd: 'burst', count: burstCount }, 120_000)
    const full = await drain(receiver, burst.sent)
    await receiver.ask({ cmd: 'reset' })
    const paced = await sender.ask<{ sent: number }>(
      { cmd: 'paced', rate: 10_000, seconds: 3 },
      120_000,
    )
    const pacedReport = await drain(receiver, paced.sent)
    return {
      rate: full.received / (full.spanMs / 1000),
      ratio: full.received / burst.sent,
      paced: { ...pacedReport, sent: paced.sent },
    }
  } finally {
    await Promise.all([sender.close(), receiver.close()])
  }
}

export const meshThroughputBench: BenchModule = {
  name: 'mesh-throughput',
  title: 'two processes over TCP loopback, 200-byte data: raw gossipsub vs MeshNode broadcast',
  async run(ctx: BenchContext): Promise<BenchCheck[]> {
    const raw = await measure('raw', 20_000)
    const mesh = await measure('mesh', 300_000)
    const row = (name: string, f: ModeFigures): string[] => [
      name,
      formatOps(f.rate),
      f.ratio.toFixed(4),
      String(f.paced.p50?.toFixed(2)),
      String(f.paced.p99?.toFixed(2)),
      (f.paced.received / f.paced.sent).toFixed(4),
    ]
    for (const line of table(
      ['sender', 'delivered msg/s', 'ratio', 'p50 ms @10k/s', 'p99 ms @10k/s', 'ratio @10k/s'],
      [row('raw gossipsub (1 per publish)', raw), row('MeshNode broadcast (batched)', mesh)],
    ))
      ctx.log(line)
    ctx.log()
    ctx.log(`MeshNode / raw gossipsub = ${(mesh.rate / raw.rate).toFixed(1)}×`)
    const ratio = Math.min(mesh.ratio, mesh.paced.received / mesh.paced.sent)
    return [
      {
        name: 'MeshNode delivered msg/s',
        target: '≥ 100,000',
        actual: formatOps(mesh.rate),
        passed: mesh.rate >= 100_000,
      },
      {
        name: 'MeshNode delivery ratio',
        target: '1.0',
        actual: ratio.toFixed(4),
        passed: ratio === 1,
      },
      {
        name: 'MeshNode p99 at 10k msg/s',
        target: '< 10 ms',
        actual: `${mesh.paced.p99.toFixed(2)} ms`,
        passed: mesh.paced.p99 < 10,
      },
    ]
  },
}
