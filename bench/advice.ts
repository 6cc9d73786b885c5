/**
 * Advice: (1) 20 in-process nodes (memory transport, each dialing 4 others: a k-peer mesh)
 * with membership, roles and advice: time from issue (at a non-principal, so through the
 * relay) to every target's result at the issuer, p50/p99 over 50 advices. (2) Anti-entropy
 * bytes: two nodes, one holding a log of N advices, the other missing k of them; the bytes
 * both write on /patternmesh/advice-sync/1.0.0 until the second has them all, for several k
 * and N: they grow with k, not with N.
 */
import {
  AdviceService,
  MemoryAdviceStore,
  type Advice,
  type AdviceRecord,
} from '../src/advice/index.js'
import { DEFAULT_CONFIG, mergeConfig, type MeshConfig } from '../src/config/index.js'
import { MeshPeer as MeshNode } from '../src/peer/mesh-peer.js'
import { median, table, type BenchCheck, type BenchContext, type BenchModule } from './harness.js'

const NODES = 20
const DEGREE = 4
const ADVICES = 50
let memoryCounter = 0

function config(overrides: Partial<MeshConfig>): MeshConfig {
  return mergeConfig(DEFAULT_CONFIG, {
    meshId: 'bench-advice',
    seed: 'bench-advice',
    dataDir: '/nonexistent',
    listen: [`/memory/pm-bench-advice-${process.pid}-${memoryCounter++}`],
    mdns: false,
    heartbeatIntervalMs: 500,
    suspectAfter: 3,
    deadAfter: 6,
    syncTimeout: 3000,
    timeoutMs: 5000,
    ...overrides,
  })
}

async function until(condition: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 5))
  }
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!
}

async function latency(ctx: BenchContext): Promise<{ p50: number; p99: number }> {
  const nodes = Array.from(
    { length: NODES },
    (_, i) =>
      new MeshNode({
        config: config({ weight: i + 1, maxWeight: 100 }),
        transport: 'memory',
        services: {},
        libp2p: { connectionManager: { maxIncomingPendingConnections: 100 } },
      }),
  )
  try {
    await Promise.all(nodes.map(async (n) => await n.start()))
    // Ring plus chords: node i dials i+1 … i+DEGREE/2 and a few random others.
    const dials: Array<Promise<unknown>> = []
    for (let i = 0; i < NODES; i++) {
      const peers = new Set<number>()
      for (let d = 1; d <= DEGREE / 2; d++) peers.add((i + d) % NODES)
      while (peers.size < DEGREE) peers.add(Math.floor(Math.random() * NODES))
      peers.delete(i)
      for (const j of peers)
        dials.push(
          nodes[i]!.libp2p.dial(nodes[j]!.libp2p.getMultiaddrs()[0]!, {
            signal: AbortSignal.timeout(10_000),
          }),
        )
    }
    await Promise.all(dials)
    // One principal all agree on (the heaviest, unless a formation race settled otherwise).
    await until(
      () =>
        nodes[0]!.roles?.principal != null &&
        nodes.every((n) => n.roles?.principal === nodes[0]!.roles?.principal),
      60_000,
      'one principal',
    )
    await until(
      () => nodes.every((n) => (n.members?.members().length ?? 0) >= NODES - 1),
      30_000,
      'full member tables',
    )
    ctx.log(`${NODES} nodes formed; principal elected`)
    // A non-principal issues: the request goes through the relay.
    const issuer = nodes.find((n) => n.roles?.isPrincipal !== true)!
    const service = issuer.advice!
    const times: number[] = []
    for (let i = 0; i < ADVICES; i++) {
      const started = performance.now()
      const advice = await service.issue({
        type: 'UPDATE',
        target: ['*'],
        payload: { key: `bench-${i}`, value: i },
        ttlMs: 60_000,
      })
      await until(
        () => (service.get(advice.id)?.counts.accepted ?? 0) >= NODES,
        30_000,
        `all results of advice ${i}`,
      )
      times.push(performance.now() - started)
    }
    return { p50: median(times), p99: percentile(times, 99) }
  } finally {
    await Promise.all(nodes.map(async (n) => await n.stop()))
  }
}

function syntheticAdvice(i: number): Advice {
  const now = Date.now()
  return {
    id: `bench-${i.toString().padStart(6, '0')}-1b4e28ba-2fa1-11d2-883f-0016d3cca427`,
    type: 'UPDATE',
    target: ['12D3KooWNobodyNobodyNobodyNobodyNobodyNobodyNobody'],
    payload: { key: `k${i}`, value: i },
    expiry: now + 3_600_000,
    issuer: 'P',
    origin: 'P',
    term: 1,
    step: 1,
    issuedAt: now,
    keys: [`update:k${i}`],
    version: { [`update:k${i}`]: { P: 1 } },
    resolved: [],
  }
}

/** Bytes written by both sides until a node missing `k` of `n` advices has them all. */
async function antiEntropyBytes(n: number, k: number): Promise<{ bytes: number; rounds: number }> {
  const all: AdviceRecord[] = Array.from({ length: n }, (_, i) => ({
    t: 'advice' as const,
    advice: syntheticAdvice(i),
  }))
  const missing = new Set(Array.from({ length: k }, (_, i) => Math.floor((i * n) / k)))
  const full = new MemoryAdviceStore()
  full.records = all
  const partial = new MemoryAdviceStore()
  partial.records = all.filter((_, i) => !missing.has(i))
  const nodes = [0, 1].map(
    () =>
      new MeshNode({
        config: config({}),
        transport: 'memory',
        services: { membership: false },
      }),
  )
  const services: AdviceService[] = []
  try {
    await Promise.all(nodes.map(async (node) => await node.start()))
    await nodes[1]!.libp2p.dial(nodes[0]!.libp2p.getMultiaddrs()[0]!)
    services.push(new AdviceService({ node: nodes[0]!, store: full }, { syncIntervalMs: 0 }))
    services.push(new AdviceService({ node: nodes[1]!, store: partial }, { syncIntervalMs: 0 }))
    await Promise.all(services.map(async (s) => await s.start()))
    // At least one round: with nothing missing it is one root comparison.
    let rounds = 0
    do {
      await services[1]!.sync!.syncWith(nodes[0]!.libp2p.peerId)
      rounds++
    } while (services[1]!.stats().advice < n && rounds < 10)
    if (services[1]!.stats().advice < n) throw new Error('anti-entropy did not converge')
    const bytes = services[0]!.stats().sync.bytesSent + services[1]!.stats().sync.bytesSent
    return { bytes, rounds }
  } finally {
    await Promise.all(services.map(async (s) => await s.stop()))
    await Promise.all(nodes.map(async (node) => await node.stop()))
  }
}

async function run(ctx: BenchContext): Promise<BenchCheck[]> {
  const { p50, p99 } = await latency(ctx)
  ctx.log(
    `issue → all ${NODES} results at the issuer, ${ADVICES} advices (relayed to the principal):`,
  )
  ctx.log(`p50 ${p50.toFixed(1)} ms, p99 ${p99.toFixed(1)} ms`)
  ctx.log()

  const rows: string[][] = []
  const bytesOf = new Map<string, number>()
  for (const n of [1000, 10_000]) {
    for (const k of [0, 1, 10, 100]) {
      const { bytes, rounds } = await antiEntropyBytes(n, k)
      bytesOf.set(`${n}/${k}`, bytes)
      rows.push([String(n), String(k), bytes.toLocaleString('en-US'), String(rounds)])
    }
  }
  ctx.log('anti-entropy: bytes written by both sides until the node missing k advices has them all')
  for (const line of table(['log', 'k missing', 'bytes', 'rounds'], rows, 0)) ctx.log(line)
  const growsWithK = bytesOf.get('1000/100')! > 10 * bytesOf.get('1000/1')!
  const flatInLog = bytesOf.get('10000/10')! < 2 * bytesOf.get('1000/10')!
  return [
    {
      // Relay, stamp, broadcast, 20 evaluations and 20 result broadcasts over a 4-peer mesh:
      // within 4 heartbeats (500 ms each).
      name: 'advice issue→all results p99 (20 nodes)',
      target: '< 2000 ms',
      actual: `${p99.toFixed(0)} ms`,
      passed: p99 < 2000,
    },
    {
      name: 'anti-entropy bytes grow with k',
      target: 'k=100 > 10 × k=1',
      actual: `${bytesOf.get('1000/100')} vs ${bytesOf.get('1000/1')}`,
      passed: growsWithK,
    },
    {
      name: 'anti-entropy bytes flat in the log',
      target: 'log 10k < 2 × log 1k (k=10)',
      actual: `${bytesOf.get('10000/10')} vs ${bytesOf.get('1000/10')}`,
      passed: flatInLog,
    },
  ]
}

export const adviceBench: BenchModule = {
  name: 'advice',
  title: `advice: issue→results on ${NODES} in-process nodes; anti-entropy bytes vs missing and log size`,
  run,
}
