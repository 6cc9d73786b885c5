/**
 * Retention and repair on real libp2p nodes (DESIGN §15): a member cut off by a partition, or
 * stopped, gets every broadcast it missed, each once; a lossy receiver delivers 100 %; a forged,
 * tampered or replayed frame over the repair protocol is rejected; bad requests are refused.
 */
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey, peerIdFromString } from '@libp2p/peer-id'
import { afterEach, describe, expect, it } from 'vitest'
import {
  MemoryDeliveredStore,
  REPAIR_PROTOCOL,
  decodeAnswer,
  encodeFrames,
  encodeRequest,
  MAX_ANSWER_MESSAGE_BYTES,
} from '../../src/delivery/index.js'
import { PartitionGater, PartitionTable } from '../../src/net/index.js'
import type { FrameVerdictDetail, MeshMessage } from '../../src/node/index.js'
import type { MeshPeer } from '../../src/peer/mesh-peer.js'
import { PatternGenerator, type PatternKeys } from '../../src/pattern/index.js'
import { sealEnvelope } from '../../src/protocol/index.js'
import { requestOnce, serveRequests } from '../../src/rpc/request-response.js'
import { MeshFixture, connect } from '../helpers/mesh.js'
import { until } from '../helpers/until.js'

/** Every delivery of `node`, by sender and seq, with how many times each came. */
function deliveries(node: MeshPeer): Map<string, number> {
  const seen = new Map<string, number>()
  node.addEventListener('message', (event: CustomEvent<MeshMessage>) => {
    const key = `${event.detail.envelope.senderId}/${event.detail.envelope.seq}`
    seen.set(key, (seen.get(key) ?? 0) + 1)
  })
  return seen
}

/** One repair request of `from` to `to`, answered and decoded (an undecodable answer throws). */
async function askRepair(from: MeshPeer, to: MeshPeer, body: Uint8Array) {
  const bytes = await requestOnce(from.libp2p, peerIdFromString(to.peerId), REPAIR_PROTOCOL, body, {
    timeoutMs: 3000,
    maxResponseBytes: MAX_ANSWER_MESSAGE_BYTES,
  })
  const answer = decodeAnswer(bytes)
  if (!answer.ok) throw new Error(answer.detail)
  return answer.value
}

async function broadcastOver(nodes: MeshPeer[], count: number, ms: number): Promise<void> {
  const started = Date.now()
  for (let i = 0; i < count; i++) {
    await nodes[i % nodes.length]!.broadcast(`m${i}`)
    const due = started + ((i + 1) * ms) / count
    const wait = due - Date.now()
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait))
  }
}

describe('repair', () => {
  const mesh = new MeshFixture()
  afterEach(async () => await mesh.stopAll())

  async function gated(table: PartitionTable, extra: Parameters<MeshFixture['node']>[1] = {}) {
    const privateKey = await generateKeyPair('Ed25519')
    const gater = new PartitionGater({ self: peerIdFromPrivateKey(privateKey), table })
    const node = await mesh.node(
      {},
      { privateKey, services: {}, libp2p: { connectionGater: gater }, ...extra },
    )
    return { node, gater, privateKey }
  }

  it('a member partitioned for 10 s while others broadcast 1,000 messages gets all 1,000 after the heal, each once', async () => {
    const table = new PartitionTable()
    const [a, b, c] = await Promise.all([gated(table), gated(table), gated(table)])
    await connect(a.node, b.node)
    await connect(a.node, c.node)
    await connect(b.node, c.node)
    const atC = deliveries(c.node)
    await a.node.whenReady()
    await b.node.whenReady()
    table.partition([[a.node.peerId, b.node.peerId], [c.node.peerId]])
    await c.gater.closeCrossGroupConnections(c.node.libp2p)
    await until(() => c.node.connectedPeers().length === 0, { message: 'c cut off' })
    await broadcastOver([a.node, b.node], 1000, 10_000)
    expect(atC.size).toBeLessThan(1000)
    table.heal()
    await connect(c.node, a.node)
    await until(() => atC.size === 1000, {
      timeout: 20_000,
      message: `c has all 1,000 (${atC.size})`,
    })
    expect([...atC.values()].every((n) => n === 1)).toBe(true)
    expect(c.node.delivery!.stats().repaired).toBeGreaterThan(0)
  }, 60_000)

  it('a member stopped for 10 s gets what was broadcast meanwhile after its restart, each once', async () => {
    const table = new PartitionTable()
    const [a, b, c] = await Promise.all([gated(table), gated(table), gated(table)])
    await connect(a.node, b.node)
    await connect(a.node, c.node)
    await a.node.whenReady()
    await c.node.stop()
    await broadcastOver([a.node, b.node], 1000, 10_000)
    const again = await mesh.node({}, { privateKey: c.privateKey, services: {} })
    const atC = deliveries(again)
    await connect(again, a.node)
    await until(() => atC.size === 1000, {
      timeout: 20_000,
      message: `restarted c has all 1,000 (${atC.size})`,
    })
    expect([...atC.values()].every((n) => n === 1)).toBe(true)
  }, 60_000)

  it('a member restarted with its delivered seqs (the daemon keeps them on disk) gets what it missed and nothing it had again', async () => {
    const table = new PartitionTable()
    const [a, c] = await Promise.all([gated(table), gated(table)])
    const store = new MemoryDeliveredStore()
    await c.node.stop()
    const first = await mesh.node({}, { privateKey: c.privateKey, services: { repair: { store } } })
    const atFirst = deliveries(first)
    await connect(first, a.node)
    await a.node.whenReady()
    await first.whenReady()
    await broadcastOver([a.node], 100, 500)
    await until(() => atFirst.size === 100, { message: `c has the first 100 (${atFirst.size})` })
    await first.stop() // saves what it delivered
    await broadcastOver([a.node], 100, 500)
    const again = await mesh.node({}, { privateKey: c.privateKey, services: { repair: { store } } })
    const atAgain = deliveries(again)
    await connect(again, a.node)
    await until(() => atAgain.size >= 100, {
      timeout: 20_000,
      message: 'restarted c has the 100 sent while it was down',
    })
    // A few heads exchanges later (every 2 s), still none of the first 100 came again.
    await until(() => again.delivery!.stats().requests >= 3, { timeout: 10_000 })
    expect([...atAgain.keys()].filter((key) => atFirst.has(key))).toEqual([])
    expect(atAgain.size).toBe(100)
    expect([...atAgain.values()].every((n) => n === 1)).toBe(true)
  }, 60_000)

  it('a receiver that loses 5 % of gossip frames still delivers 100 %, by repair', async () => {
    const a = await mesh.node({}, { services: {} })
    let n = 0
    const lossy = await mesh.node(
      {},
      {
        services: { repair: { dropGossip: () => n++ % 20 === 7 } },
      },
    )
    await connect(a, lossy)
    const got = deliveries(lossy)
    await a.whenReady()
    await until(() => lossy.libp2p.services.pubsub.getSubscribers(a.topics.data).length > 0)
    await broadcastOver([a], 2000, 2_000)
    await until(() => got.size === 2000, {
      timeout: 15_000,
      message: `lossy has all 2,000 (${got.size})`,
    })
    expect([...got.values()].every((k) => k === 1)).toBe(true)
    expect(lossy.delivery!.stats().dropped).toBeGreaterThanOrEqual(90)
  }, 40_000)

  it('rejects forged, tampered, unrequested and too old frames in a repair answer, and blames the repairer', async () => {
    const victim = await mesh.node({}, { services: { membership: false } })
    const attacker = await mesh.node({}, { services: { membership: false } })
    await connect(victim, attacker)
    const author = await generateKeyPair('Ed25519')
    const authorId = peerIdFromPrivateKey(author).toString()
    const good = victim.generator
    const wrongKey = new PatternGenerator({ seed: 'not-the-mesh' })
    const seal = (gen: PatternKeys, seq: number, step = victim.step) =>
      sealEnvelope(gen, {
        kind: 'data',
        senderId: authorId,
        globalStep: step,
        seq,
        timestamp: Date.now(),
        data: Buffer.from(`x${seq}`),
      })
    const tampered = seal(good, 11)
    tampered[tampered.length - 17] = tampered[tampered.length - 17]! ^ 1 // last data byte
    const answer = [
      seal(wrongKey, 10), // forged: not the mesh key
      tampered, // a byte of the body flipped
      seal(good, 99), // not asked for
      seal(good, 12, victim.step - 100_000), // far older than retention
    ]
    await attacker.delivery!.stop()
    await serveRequests(attacker.libp2p, REPAIR_PROTOCOL, () => encodeFrames(answer), {
      timeoutMs: 2000,
      maxRequestBytes: 8192,
    })
    const verdicts: FrameVerdictDetail[] = []
    victim.addEventListener('verdict', (e) => {
      if (e.detail.topic === REPAIR_PROTOCOL) verdicts.push(e.detail)
    })
    const got = deliveries(victim)
    victim.delivery!.ledger.noteRetained(authorId, [[10, 13]], Date.now())
    await until(() => verdicts.length >= 4, { message: 'four verdicts on repaired frames' })
    expect(verdicts.map((v) => v.result.code).sort()).toEqual(
      ['PATTERN_MISMATCH', 'STEP_SKEW', 'TAG_MISMATCH', 'UNKNOWN_SENDER'].sort(),
    )
    expect(verdicts.every((v) => v.from === attacker.peerId && v.result.verdict === 'reject')).toBe(
      true,
    )
    expect(got.size).toBe(0)
    expect(victim.delivery!.stats().rejected).toBeGreaterThanOrEqual(4)
  })

  it('rejects a replayed frame in a repair answer: delivered once, the copy is a REPLAY', async () => {
    const a = await mesh.node({}, { services: { membership: false } })
    const victim = await mesh.node({}, { services: { membership: false } })
    const attacker = await mesh.node({}, { services: { membership: false } })
    await connect(a, victim)
    const got = deliveries(victim)
    await a.whenReady()
    await until(() => victim.libp2p.services.pubsub.getSubscribers(a.topics.data).length > 0)
    const receipt = await a.broadcast('once')
    await until(() => got.size === 1)
    const frame = a.delivery!.retention.get(a.peerId, receipt.seq)!
    await attacker.delivery!.stop()
    await serveRequests(attacker.libp2p, REPAIR_PROTOCOL, () => encodeFrames([frame]), {
      timeoutMs: 2000,
      maxRequestBytes: 8192,
    })
    await a.stop()
    await connect(victim, attacker)
    const verdicts: FrameVerdictDetail[] = []
    victim.addEventListener('verdict', (e) => {
      if (e.detail.topic === REPAIR_PROTOCOL) verdicts.push(e.detail)
    })
    // Ask for the seq after it: the attacker answers with the one already delivered.
    victim.delivery!.ledger.noteRetained(a.peerId, [[receipt.seq + 1, receipt.seq + 1]], Date.now())
    await until(() => verdicts.length >= 1)
    expect(verdicts[0]!.result.code).toBe('REPLAY')
    expect(got.get(`${a.peerId}/${receipt.seq}`)).toBe(1)
  })

  it('refuses a request for 10^9 frames and a malformed one, with clear errors, and loses nothing kept', async () => {
    const a = await mesh.node({}, { services: { membership: false } })
    const b = await mesh.node({}, { services: { membership: false } })
    await connect(a, b)
    await a.whenReady()
    const receipt = await a.broadcast('kept')
    const ask = async (body: Uint8Array) => await askRepair(b, a, body)
    const huge = await ask(
      encodeRequest({ v: 1, op: 'frames', sender: a.peerId, ranges: [[0, 999_999_999]] }),
    )
    expect(huge).toMatchObject({ kind: 'error', error: 'TOO_MANY_FRAMES' })
    expect(huge.kind === 'error' && huge.detail).toMatch(/spans 1000000000 frames; limit 4096/)
    const junk = await ask(Buffer.from('{"v":1,"op":"frames","sender":"x","ranges":[[5,1]]}'))
    expect(junk).toMatchObject({ kind: 'error', error: 'MALFORMED' })
    expect(junk.kind === 'error' && junk.detail).toMatch(/range 0 must be \[lo, hi\]/)
    const notJson = await ask(Buffer.from('not json'))
    expect(notJson).toMatchObject({
      kind: 'error',
      error: 'MALFORMED',
      detail: 'request is not JSON',
    })
    const ok = await ask(
      encodeRequest({ v: 1, op: 'frames', sender: a.peerId, ranges: [[receipt.seq, receipt.seq]] }),
    )
    expect(ok.kind === 'frames' && ok.frames.length).toBe(1)
    expect(a.delivery!.stats().refused).toBe(3)
    expect(a.delivery!.stats().retention.frames).toBe(1)
  })

  it('withholds a retained frame stamped under a key it has removed (the asker would take it for a forgery), counted', async () => {
    const a = await mesh.node({}, { services: { membership: false } })
    const b = await mesh.node({}, { services: { membership: false } })
    await connect(a, b)
    await a.whenReady()
    const old = await a.broadcast('under the old key')
    const oldId = a.generator.primaryId
    a.generator.use(a.generator.install(Buffer.from('7e'.repeat(32), 'hex')))
    a.generator.remove(oldId)
    const fresh = await a.broadcast('under the new key')
    const answer = await askRepair(
      b,
      a,
      encodeRequest({ v: 1, op: 'frames', sender: a.peerId, ranges: [[old.seq, fresh.seq]] }),
    )
    expect(answer.kind).toBe('frames')
    const frames = answer.kind === 'frames' ? answer.frames : []
    expect(frames).toHaveLength(1)
    expect(Buffer.from(frames[0]!).toString('utf8')).toContain('under the new key')
    expect(a.delivery!.stats()).toMatchObject({ withheld: 1, retention: { frames: 2 } })
  })
})
