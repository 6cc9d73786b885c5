/**
 * The keyring on in-process meshes (TCP on 127.0.0.1, every service on): refusals (the primary,
 * a key an alive member lacks), and a member down during install and use that catches up when
 * it returns; every log line at debug level and every event is searched for the key bytes. The
 * rotation under traffic runs on daemons (rotation-daemons.test.ts).
 */
import { generateKeyPair } from '@libp2p/crypto/keys'
import type { PrivateKey } from '@libp2p/interface'
import { Writable } from 'node:stream'
import { pino } from 'pino'
import { afterEach, describe, expect, it } from 'vitest'
import { MemoryKeyringStore } from '../../src/keyring/index.js'
import { keyId, networkKeyFromSeed } from '../../src/pattern/index.js'
import type { MeshPeer } from '../../src/peer/mesh-peer.js'
import { MeshFixture, connect } from '../helpers/mesh.js'
import { until } from '../helpers/until.js'

const OLD = networkKeyFromSeed('test-mesh') // the fixture's seed
const NEW = Buffer.from('5a'.repeat(8) + 'c3'.repeat(24), 'hex')
const NEW_HEX = NEW.toString('hex')
const OLD_HEX = OLD.toString('hex')
const CONFIG = { heartbeatIntervalMs: 150, suspectAfter: 2, deadAfter: 4, batchLingerMs: 5 }

const fixture = new MeshFixture()
afterEach(async () => await fixture.stopAll())

/** Every log line of every peer, to grep for key bytes. */
const lines: string[] = []
const logger = pino(
  { level: 'debug' },
  new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(chunk.toString('utf8'))
      done()
    },
  }),
)
/** Every event the keyring emitted, serialized, for the same grep. */
const events: string[] = []

async function peer(
  init: {
    privateKey?: PrivateKey
    store?: MemoryKeyringStore
    seed?: string
    /** The keyring's anti-entropy period (0: off). */
    syncIntervalMs?: number
  } = {},
): Promise<MeshPeer> {
  const node = await fixture.node(
    { ...CONFIG, ...(init.seed !== undefined ? { seed: init.seed } : {}) },
    {
      services: {
        ...(init.store !== undefined ? { keyringStore: init.store } : {}),
        ...(init.syncIntervalMs !== undefined
          ? { keyring: { syncIntervalMs: init.syncIntervalMs } }
          : {}),
      },
      logger,
      ...(init.privateKey !== undefined ? { privateKey: init.privateKey } : {}),
    },
  )
  node.keyring!.addEventListener('keyring.changed', (e) => events.push(JSON.stringify(e.detail)))
  return node
}

async function mesh(n: number, init: { syncIntervalMs?: number } = {}): Promise<MeshPeer[]> {
  const nodes: MeshPeer[] = []
  for (let i = 0; i < n; i++) nodes.push(await peer(init))
  for (const node of nodes.slice(1)) await connect(node, nodes[0]!)
  await untilAllAlive(nodes)
  return nodes
}

async function untilAllAlive(nodes: MeshPeer[]): Promise<void> {
  await until(
    () =>
      nodes.every(
        (n) => n.members!.members().filter((m) => m.status === 'alive').length >= nodes.length - 1,
      ),
    { timeout: 10_000, message: 'every peer sees every other alive' },
  )
}

/** Waits until every node's `keyring.list()` is `expected`; the failure shows what they list. */
async function untilEveryLists(
  nodes: MeshPeer[],
  expected: unknown[],
  what: string,
): Promise<void> {
  const lists = (): string[] => nodes.map((n) => JSON.stringify(n.keyring!.list()))
  await until(() => lists().every((list) => list === JSON.stringify(expected)), {
    timeout: 10 * CONFIG.heartbeatIntervalMs,
    message: what,
  }).catch((err: unknown) => {
    throw new Error(`${(err as Error).message}: ${lists().join(' ')}`)
  })
}

function received(nodes: MeshPeer[]): Map<string, Set<string>> {
  const byNode = new Map<string, Set<string>>()
  for (const node of nodes) {
    const ids = new Set<string>()
    byNode.set(node.peerId, ids)
    node.onMessage((m) => ids.add(m.id))
  }
  return byNode
}

function expectNoKeyBytes(): void {
  for (const hex of [NEW_HEX, OLD_HEX]) {
    for (const text of [...lines, ...events]) {
      expect(text.toLowerCase()).not.toContain(hex)
      expect(text).not.toContain(Buffer.from(hex, 'hex').toString('base64'))
    }
  }
}

describe('the keyring on in-process peers', () => {
  it('refuses to remove the primary, and to use a key an alive member lacks, naming it', async () => {
    const nodes = await mesh(3)
    const admin = nodes[0]!.keyring!
    await expect(admin.remove(keyId(OLD))).rejects.toThrow(/is the primary/)
    await expect(admin.use('0badc0de')).rejects.toThrow(/no installed key has id 0badc0de/)
    // A member that is alive but does not take keyrings (its keyring service is stopped).
    const deaf = nodes[2]!
    await deaf.keyring!.stop()
    const installed = await admin.install(NEW_HEX)
    expect(installed.results.find((r) => r.member === deaf.peerId)?.status).toBe('failed')
    expect(admin.list().find((k) => k.id === keyId(NEW))?.members).toBe(2)
    await expect(admin.use(keyId(NEW))).rejects.toThrow(
      new RegExp(`not installed on 1 alive member\\(s\\): ${deaf.peerId}`),
    )
    expect(nodes[1]!.generator.primaryId).toBe(keyId(OLD))
    expect(admin.list()[0]).toEqual({ id: keyId(OLD), primary: true, members: 3 })
    expectNoKeyBytes()
  }, 30_000)

  it('every member counts who holds each key from heartbeats, with no exchange between them', async () => {
    // Anti-entropy off: the members other than the admin exchange keyrings only as they connect,
    // all before the install. What each holds after it reaches them by heartbeats alone.
    const nodes = await mesh(4, { syncIntervalMs: 0 })
    // Every connection made first: a new one would exchange keyrings.
    await until(() => nodes.every((n) => n.libp2p.getPeers().length === 3), {
      message: 'every member connected to every other',
    })
    const admin = nodes[0]!.keyring!
    expect((await admin.install(NEW_HEX)).results.map((r) => r.status)).toEqual(Array(3).fill('ok'))
    const both = [
      { id: keyId(OLD), primary: true, members: 4 },
      { id: keyId(NEW), primary: false, members: 4 },
    ]
    await untilEveryLists(nodes, both, 'every member lists both keys on 4 members')
    await admin.use(keyId(NEW))
    expect(await admin.remove(keyId(OLD)).catch((e: Error) => e.message)).toMatch(/retention/)
    const newPrimary = [
      { id: keyId(NEW), primary: true, members: 4 },
      { id: keyId(OLD), primary: false, members: 4 },
    ]
    await untilEveryLists(nodes, newPrimary, 'every member lists the new primary on 4 members')
    expectNoKeyBytes()
  }, 30_000)

  it('a member down during install and use catches up when it returns, in window at once', async () => {
    const nodes = await mesh(5)
    const privateKey = await generateKeyPair('Ed25519')
    const store = new MemoryKeyringStore()
    let late = await peer({ privateKey, store })
    await connect(late, nodes[0]!)
    await untilAllAlive([...nodes, late])
    await late.stop()
    fixture.nodes.splice(fixture.nodes.indexOf(late), 1)
    await until(() => nodes.every((n) => n.members!.member(late.peerId)?.status !== 'alive'), {
      message: 'the late member is no longer alive',
    })

    const admin = nodes[1]!.keyring!
    expect((await admin.install(NEW_HEX)).results.map((r) => r.status)).toEqual(Array(4).fill('ok'))
    expect((await admin.use(keyId(NEW))).results.map((r) => r.status)).toEqual(Array(4).fill('ok'))

    // It returns with the keyring it had: the old key only.
    late = await peer({ privateKey, store })
    const got = received([late])
    expect(late.generator.primaryId).toBe(keyId(OLD))
    const returnedAt = Date.now()
    await connect(late, nodes[0]!)
    await until(() => late.generator.primaryId === keyId(NEW), {
      timeout: 3000,
      message: 'the returning member learns the new primary',
    })
    const caughtUpMs = Date.now() - returnedAt
    expect(late.generator.has(keyId(OLD))).toBe(true)
    // Heartbeats under the new key now verify here: they bring the mesh's step within a few.
    await until(() => Math.abs(late.step - nodes[0]!.step) <= late.config.stepWindow, {
      timeout: 5 * CONFIG.heartbeatIntervalMs,
      message: 'the returning member is in the step window',
    })
    const inWindowMs = Date.now() - returnedAt
    // In window at once: what the others send now reaches it.
    await until(
      () =>
        nodes[0]!.libp2p.services.pubsub
          .getSubscribers(nodes[0]!.topics.data)
          .some((p) => p.toString() === late.peerId),
      { message: 'the returning member subscribed' },
    )
    const receipt = await nodes[0]!.broadcast('welcome back')
    await until(() => got.get(late.peerId)!.has(receipt.id), {
      message: 'the returning member accepts a frame under the new key',
    })
    console.info(
      `catch-up: new primary ${caughtUpMs} ms, in window ${inWindowMs} ms after the member reconnected`,
    )
    expectNoKeyBytes()
  }, 60_000)
})
