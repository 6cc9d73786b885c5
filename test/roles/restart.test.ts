/**
 * Role state across restarts: the term is kept, a restarted node follows the mesh before it
 * would claim, and never claims a term at or below the one on disk.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { afterEach, describe, expect, it } from 'vitest'
import type { MeshMessage } from '../../src/node/index.js'
import {
  FileRoleStateStore,
  MemoryRoleStateStore,
  RoleStateCorruptError,
  type PrincipalChangedDetail,
} from '../../src/roles/index.js'
import { connect } from '../helpers/mesh.js'
import {
  ROLE_TEST_CONFIG,
  RolesFixture,
  fullMesh,
  startServices,
  untilPrincipal,
} from '../helpers/roles-mesh.js'
import { until } from '../helpers/until.js'

const INTERVAL = ROLE_TEST_CONFIG.heartbeatIntervalMs!
const DEAD_PERIOD = ROLE_TEST_CONFIG.deadAfter! * INTERVAL
const fixture = new RolesFixture()
const dirs: string[] = []
afterEach(async () => {
  await fixture.stopAll()
  await Promise.all(dirs.splice(0).map(async (dir) => await rm(dir, { recursive: true })))
})

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'pm-roles-'))
  dirs.push(dir)
  return dir
}

describe('role state across restarts', () => {
  it('a restarted principal keeps its term, follows the mesh before claiming, and does not take over', async () => {
    const dir = await tempDir()
    const privateKey = await generateKeyPair('Ed25519')
    const nodes = await Promise.all([
      fixture.create({
        weight: 30,
        privateKey,
        store: new FileRoleStateStore(dir),
        startServices: false,
      }),
      fixture.create({ weight: 20, startServices: false }),
      fixture.create({ weight: 10, startServices: false }),
    ])
    const [a, b, c] = nodes as [(typeof nodes)[0], (typeof nodes)[0], (typeof nodes)[0]]
    await fullMesh(nodes)
    await Promise.all(nodes.map(startServices))
    await untilPrincipal(nodes, a)
    const term = a.roles.term
    expect(await new FileRoleStateStore(dir).load()).toMatchObject({
      term,
      principal: a.peerId,
      roles: ['principal'],
    })

    await fixture.stop(a)
    await untilPrincipal([b, c], b, 30 * INTERVAL)
    expect(b.roles.term).toBe(term + 1)

    const claimsFromA: MeshMessage[] = []
    b.node.addEventListener('verdict', (e) => {
      const { result, from } = e.detail
      if (result.verdict !== 'accept' || result.envelope === undefined) return
      if (result.envelope.kind === 'role-claim' && result.envelope.senderId === a.peerId)
        claimsFromA.push({ id: '', envelope: result.envelope, from, receivedAt: e.detail.at })
    })
    const again = await fixture.create({
      weight: 30,
      privateKey,
      store: new FileRoleStateStore(dir),
      startServices: false,
    })
    expect(again.peerId).toBe(a.peerId)
    await startServices(again)
    // Loaded from disk: the term, but not the principal role (the mesh may have moved on).
    expect(again.roles.term).toBe(term)
    expect(again.roles.principal).toBeNull()
    expect(again.roles.isPrincipal).toBe(false)
    expect(again.roles.heardMesh).toBe(false)

    await Promise.all([b, c].map(async (n) => await connect(again.node, n.node)))
    await untilPrincipal([again, b, c], b)
    expect(again.roles.term).toBe(term + 1)
    // It has heard the mesh, and several heartbeats later still has not claimed: it is the
    // heaviest, but without preempt it does not take over.
    await until(() => again.roles.heardMesh, { message: 'restarted node heard the mesh' })
    const target = again.membership.stats().heartbeatsSent + 4
    await until(() => again.membership.stats().heartbeatsSent >= target)
    expect(again.roles.stats().claimsSent).toBe(0)
    expect(claimsFromA).toEqual([])
    await until(async () => (await new FileRoleStateStore(dir).load())?.term === term + 1, {
      message: 'new term persisted',
    })
    expect(await new FileRoleStateStore(dir).load()).toMatchObject({
      principal: b.peerId,
      roles: ['member'],
    })
  })

  it('alone, a restarted node claims only after a whole deadAfter period, above its persisted term', async () => {
    const store = new MemoryRoleStateStore({
      version: 1,
      term: 7,
      principal: null,
      principalWeight: 0,
      roles: ['member'],
      savedAt: 0,
    })
    const startedAt = Date.now()
    const lone = await fixture.create({ weight: 10, store })
    expect(lone.roles.term).toBe(7)
    const claimed = await new Promise<PrincipalChangedDetail & { at: number }>((resolve) => {
      lone.roles.addEventListener(
        'roles.principal-changed',
        (e) => resolve({ ...e.detail, at: Date.now() }),
        { once: true },
      )
    })
    expect(claimed).toMatchObject({ principal: lone.peerId, term: 8, cause: 'no-principal' })
    expect(claimed.at - startedAt).toBeGreaterThanOrEqual(DEAD_PERIOD)
    // Written before the claim left the node.
    expect(store.current?.term).toBe(8)
  })

  it('a corrupt role state file stops the start with a clear error and is left untouched', async () => {
    const dir = await tempDir()
    const path = join(dir, 'roles.json')
    const garbage = '{"version":1,"term":'
    await writeFile(path, garbage)
    const node = await fixture.create({ store: new FileRoleStateStore(dir), startServices: false })
    const failure = node.roles.start()
    await expect(failure).rejects.toBeInstanceOf(RoleStateCorruptError)
    await expect(failure).rejects.toThrow(`role state file ${path} is corrupt`)
    expect(await readFile(path, 'utf8')).toBe(garbage)
    // It did not start: nothing listens, nothing is written.
    await node.roles.stop()
    expect(await readFile(path, 'utf8')).toBe(garbage)
  })
})
