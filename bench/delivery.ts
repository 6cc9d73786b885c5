/**
 * Delivery (DESIGN §15), in one process over TCP loopback: broadcast throughput with repair on
 * and off, repair bytes against the size of a gap (∝ the gap, not the retention), and the time
 * to repair a 10 s partition at 1,000 msg/s. Printed only; the throughput ratio is checked.
 */
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { DEFAULT_CONFIG, mergeConfig, type MeshConfig } from '../src/config/index.js'
import { PartitionGater, PartitionTable } from '../src/net/index.js'
import type { Envelope } from '../src/protocol/index.js'
import { MeshPeer, type MeshPeerInit } from '../src/peer/mesh-peer.js'
import {
  formatOps,
  median,
  table,
  type BenchCheck,
  type BenchContext,
  type BenchModule,
} from './harness.js'

const PAYLOAD = 'x'.repeat(200)

function config(overrides: Partial<MeshConfig> = {}): MeshConfig {
  return mergeConfig(DEFAULT_CONFIG, {
    meshId: 'bench-delivery',
    seed: 'bench-delivery',
    dataDir: '/nonexistent',
    listen: ['/ip4/127.0.0.1/tcp/0'],
    mdns: false,
    logLevel: 'silent',
    ...overrides,
  })
}

class Mesh {
  readonly peers: MeshPeer[] = []
  async peer(overrides: Partial<MeshConfig>, init: Partial<MeshPeerInit> = {}): Promise<MeshPeer> {
    const peer = new MeshPeer({
      config: config(overrides),
      services: { membership: false },
      ...init,
    })
    this.peers.push(peer)
    await peer.start()
    return peer
  }
  async stop(): Promise<void> {
    await Promise.all(this.peers.splice(0).map(async (p) => await p.stop()))
  }
}

async function link(a: MeshPeer, b: MeshPeer): Promise<void> {
  await a.libp2p.dial(b.libp2p.getMultiaddrs()[0]!)
  const deadline = Date.now() + 10_000
  while (
    b.libp2p.services.pubsub.getSubscribers(a.topics.data).length === 0 &&
    Date.now() < deadline
  )
    await new Promise((resolve) => setTimeout(resolve, 20))
  await a.whenReady()
}

function counter(peer: MeshPeer): { count: () => number } {
  const seen = new Set<string>()
  peer.onMessage((m) => seen.add(`${m.envelope.senderId}/${m.envelope.seq}`))
  return { count: () => seen.size }
}

async function waitFor(condition: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs
  while (!condition()) {
    if (Date.now() > deadline) return false
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
  return true
}

/** Messages/s from one sender to one receiver, until the receiver has them all. */
async function throughput(retentionMs: number, messages: number): Promise<number> {
  const mesh = new Mesh()
  try {
    const a = await mesh.peer({ retentionMs })
    const b = await mesh.peer({ retentionMs })
    await link(a, b)
    const got = counter(b)
    const started = performance.now()
    const sends: Array<Promise<unknown>> = []
    for (let i = 0; i < messages; i++) sends.push(a.broadcast(PAYLOAD))
    await Promise.all(sends)
    await waitFor(() => got.count() >= messages, 60_000)
    return (got.count() / (performance.now() - started)) * 1000
  } finally {
    await mesh.stop()
  }
}

/** One gap of `gap` frames in 20,000 (retention holds them all): what repair costs. */
async function repairGap(gap: number): Promise<{ bytes: number; requests: number; ms: number }> {
  const mesh = new Mesh()
  const total = 20_000
  let index = 0
  const from = 5_000
  try {
    const a = await mesh.peer({})
    const b = await mesh.peer(
      {},
      {
        services: {
          membership: false,
          repair: { dropGossip: (_e: Envelope) => (index++, index > from && index <= from + gap) },
        },
      },
    )
    await link(a, b)
    const got = counter(b)
    const sends: Array<Promise<unknown>> = []
    for (let i = 0; i < total; i++) sends.push(a.broadcast(PAYLOAD))
    await Promise.all(sends)
    const noticed = performance.now()
    await waitFor(() => got.count() >= total, 60_000)
    const stats = b.delivery!.stats()
    return { bytes: stats.repairBytes, requests: stats.requests, ms: performance.now() - noticed }
  } finally {
    await mesh.stop()
  }
}

/** C is cut off for 10 s while A broadcasts 1,000 msg/s; time from the heal until C has all. */
async function partition(): Promise<{ missed: number; ms: number; complete: boolean }> {
  const mesh = new Mesh()
  const table = new PartitionTable()
  const gated = async (): Promise<MeshPeer> => {
    const privateKey = await generateKeyPair('Ed25519')
    const gater = new PartitionGater({ self: peerIdFromPrivateKey(privateKey), table })
    return await mesh.peer({}, { privateKey, libp2p: { connectionGater: gater } })
  }
  try {
    const [a, b, c] = [await gated(), await gated(), await gated()]
    await link(a, b)
    await link(a, c)
    const got = counter(c)
    table.partition([[a.peerId, b.peerId], [c.peerId]])
    await Promise.all(c.libp2p.getConnections().map(async (conn) => await conn.close()))
    const started = Date.now()
    for (let i = 0; i < 10_000; i++) {
      await a.broadcast(PAYLOAD)
      const wait = started + i - Date.now()
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait))
    }
    const missed = 10_000 - got.count()
    table.heal()
    const healed = performance.now()
    await c.libp2p.dial(a.libp2p.getMultiaddrs()[0]!)
    const complete = await waitFor(() => got.count() >= 10_000, 60_000)
    return { missed, ms: performance.now() - healed, complete }
  } finally {
    await mesh.stop()
  }
}

export const deliveryBench: BenchModule = {
  name: 'delivery',
  title: 'retention and repair: throughput on/off, repair bytes vs gap, a 10 s partition',
  async run(ctx: BenchContext): Promise<BenchCheck[]> {
    // Alternating rounds, median of each: one run of each mode alone moved by ±5 % with the
    // order they ran in (JIT warm-up, the previous run's garbage).
    const n = 30_000
    const offRuns: number[] = []
    const onRuns: number[] = []
    for (let round = 0; round < 3; round++) {
      ctx.gc()
      offRuns.push(await throughput(0, n))
      ctx.gc()
      onRuns.push(await throughput(60_000, n))
    }
    const off = median(offRuns)
    const on = median(onRuns)
    for (const line of table(
      ['broadcast, 1 → 1, 200 B', 'repair off', 'repair on', 'on / off'],
      [['messages/s', formatOps(off), formatOps(on), `${((on / off) * 100).toFixed(0)} %`]],
    ))
      ctx.log(line)
    ctx.log()
    const rows: string[][] = []
    for (const gap of [10, 100, 1_000, 10_000]) {
      ctx.gc()
      const r = await repairGap(gap)
      rows.push([
        String(gap),
        `${(r.bytes / 1024).toFixed(1)} KiB`,
        (r.bytes / gap).toFixed(0),
        String(r.requests),
        `${r.ms.toFixed(0)} ms`,
      ])
    }
    for (const line of table(
      ['gap (of 20,000)', 'repair bytes', 'bytes/frame', 'requests', 'time'],
      rows,
    ))
      ctx.log(line)
    ctx.log()
    const p = await partition()
    ctx.log(
      `10 s partition at 1,000 msg/s: ${p.missed} missed, all repaired ${p.complete ? 'in' : 'NOT within'} ${(p.ms / 1000).toFixed(2)} s after the heal`,
    )
    return [
      {
        name: 'delivery: throughput with repair on / off',
        target: '≥ 90 %',
        actual: `${((on / off) * 100).toFixed(0)} %`,
        passed: on >= 0.9 * off,
      },
      {
        name: 'delivery: 10 s partition repaired',
        target: 'all',
        actual: p.complete ? `${(p.ms / 1000).toFixed(2)} s` : 'incomplete',
        passed: p.complete,
      },
    ]
  },
}
