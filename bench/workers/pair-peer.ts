/**
 * One side of the two-process throughput bench: `receiver` or `sender`, in `raw` (plain
 * gossipsub, one message per publish) or `mesh` (MeshNode broadcast) mode. Talks JSON lines:
 * commands on stdin, one answer line per command on stdout.
 */
import '../../src/compat.js'
import { createInterface } from 'node:readline'
import { DEFAULT_CONFIG, mergeConfig } from '../../src/config/index.js'
import { createMeshLibp2p, type MeshLibp2p } from '../../src/net/index.js'
import { MeshPeer as MeshNode } from '../../src/peer/mesh-peer.js'

const [role, mode] = process.argv.slice(2) as ['receiver' | 'sender', 'raw' | 'mesh']
const RAW_TOPIC = '/bench/raw/1'
const PAYLOAD_BYTES = 200

const now = (): number => performance.timeOrigin + performance.now()
const reply = (value: unknown): void => {
  process.stdout.write(JSON.stringify(value) + '\n')
}

let latencies: number[] = []
let first = 0
let last = 0

function record(data: Uint8Array): void {
  const at = now()
  const sentAt = Buffer.from(data.buffer, data.byteOffset, data.length).readDoubleLE(0)
  latencies.push(at - sentAt)
  if (first === 0) first = at
  last = at
}

function payload(): Buffer {
  const data = Buffer.alloc(PAYLOAD_BYTES, 0x61)
  data.writeDoubleLE(now(), 0)
  return data
}

let raw: MeshLibp2p | undefined
let mesh: MeshNode | undefined

async function start(): Promise<string> {
  if (mode === 'raw') {
    raw = await createMeshLibp2p({
      listen: ['/ip4/127.0.0.1/tcp/0'],
      transport: 'tcp',
      mdns: false,
      bootstrap: [],
      topics: [RAW_TOPIC],
    })
    raw.services.pubsub.subscribe(RAW_TOPIC)
    raw.services.pubsub.addEventListener('message', (event) => {
      if (event.detail.topic === RAW_TOPIC) record(event.detail.data)
    })
    return raw.getMultiaddrs()[0]!.toString()
  }
  const config = mergeConfig(DEFAULT_CONFIG, {
    seed: 'bench',
    dataDir: '/nonexistent',
    listen: ['/ip4/127.0.0.1/tcp/0'],
    mdns: false,
    sendQueueLimit: 100_000,
    // BENCH_MESH_CONFIG='{"retentionMs":0}' measures with a part of the data path off.
    ...(process.env['BENCH_MESH_CONFIG'] !== undefined
      ? (JSON.parse(process.env['BENCH_MESH_CONFIG']) as Partial<typeof DEFAULT_CONFIG>)
      : {}),
  })
  mesh = new MeshNode({ config })
  await mesh.start()
  mesh.onMessage((message) => record(message.envelope.data))
  return mesh.getMultiaddrs()[0]!
}

async function connect(addr: string): Promise<void> {
  const node = raw ?? mesh!.libp2p
  await node.dial((await import('@multiformats/multiaddr')).multiaddr(addr), {
    signal: AbortSignal.timeout(10_000),
  })
  const topic = raw !== undefined ? RAW_TOPIC : mesh!.topics.data
  const deadline = Date.now() + 10_000
  while (node.services.pubsub.getSubscribers(topic).length === 0 && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}

async function send(): Promise<void> {
  if (raw !== undefined) await raw.services.pubsub.publish(RAW_TOPIC, payload())
  else await mesh!.broadcast(payload())
}

/** As fast as it goes, keeping a bounded number of sends in flight (a sliding window). */
async function burst(count: number): Promise<{ sent: number; elapsedMs: number }> {
  const started = now()
  const window = raw !== undefined ? 64 : 8192
  let sent = 0
  const lane = async (): Promise<void> => {
    while (sent < count) {
      sent++
      await send()
    }
  }
  await Promise.all(Array.from({ length: window }, lane))
  return { sent, elapsedMs: now() - started }
}

/** `rate` messages a second for `seconds`, spread over 1 ms ticks. */
async function paced(rate: number, seconds: number): Promise<{ sent: number; elapsedMs: number }> {
  const started = now()
  const total = Math.round(rate * seconds)
  let sent = 0
  const pending: Array<Promise<void>> = []
  while (sent < total) {
    const due = Math.min(total, Math.floor(((now() - started) / 1000) * rate))
    for (; sent < due; sent++) pending.push(send())
    if (pending.length > 10_000) await Promise.all(pending.splice(0))
    await new Promise((resolve) => setTimeout(resolve, 1))
  }
  await Promise.all(pending)
  return { sent, elapsedMs: now() - started }
}

function report(): unknown {
  const sorted = Float64Array.from(latencies).sort()
  const pct = (p: number): number =>
    sorted.length === 0
      ? Number.NaN
      : sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!
  return {
    received: latencies.length,
    p50: pct(0.5),
    p99: pct(0.99),
    spanMs: last - first,
    stats: mesh?.stats(),
  }
}

const lines = createInterface({ input: process.stdin })
reply({ ready: true, addr: await start() })
for await (const line of lines) {
  const cmd = JSON.parse(line) as {
    cmd: string
    addr?: string
    count?: number
    rate?: number
    seconds?: number
  }
  if (cmd.cmd === 'connect') {
    await connect(cmd.addr!)
    reply({ ok: true })
  } else if (cmd.cmd === 'burst') reply(await burst(cmd.count!))
  else if (cmd.cmd === 'paced') reply(await paced(cmd.rate!, cmd.seconds!))
  else if (cmd.cmd === 'reset') {
    latencies = []
    first = last = 0
    reply({ ok: true })
  } else if (cmd.cmd === 'report') reply(report())
  else if (cmd.cmd === 'stop') {
    await raw?.stop()
    await mesh?.stop()
    reply({ ok: true })
    break
  }
}
void role
process.exit(0)
