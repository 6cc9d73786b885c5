/**
 * The keyring on one node and its member through `/v1/keys` and `patternmesh keys`, persisted
 * in keyring.json (0600): list, install, use, remove, refusals, and no key bytes in any answer.
 */
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { meshNodeView } from '../../src/api/index.js'
import { FileKeyAudit, FileKeyringStore, openKeyring } from '../../src/keyring/index.js'
import { installedIds } from '../../src/keyring/state.js'
import { keyId, networkKeyFromSeed } from '../../src/pattern/index.js'
import { ApiFixture, TOKEN } from '../api/helpers.js'
import { cli } from '../cli/run-cli.js'
import { MeshFixture, connect, testConfig } from '../helpers/mesh.js'
import { until } from '../helpers/until.js'

const OLD = networkKeyFromSeed('test-mesh')
const NEW_HEX = '7e'.repeat(32)
const NEW_ID = keyId(Buffer.from(NEW_HEX, 'hex'))
const OLD_ID = keyId(OLD)
const { algorithm, phaseResetInterval, cacheSize } = testConfig()
const KEY_INIT = { algorithm, phaseResetInterval, cacheSize }
const RETENTION_MS = 3000

const mesh = new MeshFixture()
const api = new ApiFixture()
const dirs: string[] = []
afterEach(async () => {
  await api.stopAll()
  await mesh.stopAll()
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true })
})

describe('/v1/keys and patternmesh keys', () => {
  it('list, install, use, remove through the API and the CLI, persisted in keyring.json', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'pm-keyring-'))
    dirs.push(dir)
    const opened = await openKeyring(dir, OLD, KEY_INIT)
    expect(opened.created).toBe(true)
    // Frames are retained (for repair) 3 s: `remove` of a key waits that long after `use`.
    const a = await mesh.node(
      { heartbeatIntervalMs: 150, retentionMs: RETENTION_MS },
      {
        keys: opened.keys,
        services: { keyringStore: opened.store, keyAudit: new FileKeyAudit(dir) },
      },
    )
    const b = await mesh.node({ heartbeatIntervalMs: 150 }, { services: {} })
    await connect(b, a)
    await until(() => a.members!.members().some((m) => m.status === 'alive'), {
      message: 'a sees b alive',
    })
    const { url, authed } = await api.start(meshNodeView(a))
    const answers: string[] = []
    const post = async (body: unknown): Promise<{ status: number; json: unknown }> => {
      const res = await authed('/v1/keys', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify(body),
      })
      const text = await res.text()
      answers.push(text)
      return { status: res.status, json: JSON.parse(text) }
    }

    const listed = await fetch(url('/v1/keys'))
    expect(listed.status).toBe(200)
    // b holds it too: they exchanged keyrings when they connected.
    expect(await listed.json()).toEqual({ keys: [{ id: OLD_ID, primary: true, members: 2 }] })

    // Writes need the token; bad input is named.
    expect((await fetch(url('/v1/keys'), { method: 'POST' })).status).toBe(401)
    const bad = await post({ op: 'install', key: 'zz' })
    expect(bad.status).toBe(400)
    expect(JSON.stringify(bad.json)).toMatch(/hex digits/)
    expect((await post({ op: 'use', key: 'NOTANID' })).status).toBe(400)
    expect((await post({ op: 'use', key: 'deadbeef' })).status).toBe(404)
    const primary = await post({ op: 'remove', key: OLD_ID })
    expect(primary).toMatchObject({ status: 409, json: { error: { code: 'KEY_IS_PRIMARY' } } })

    const installed = await post({ op: 'install', key: NEW_HEX })
    expect(installed).toEqual({
      status: 200,
      json: { op: 'install', id: NEW_ID, results: [{ member: b.peerId, status: 'ok' }] },
    })
    expect(b.generator.has(NEW_ID)).toBe(true)

    // The CLI: list, use, remove.
    const listRun = await cli('keys', url(''), 'list')
    expect(listRun.code).toBe(0)
    expect(listRun.stdout).toBe(
      `${OLD_ID}  primary  on 2 member(s)\n${NEW_ID}           on 2 member(s)\n`,
    )
    const useRun = await cli('keys', url(''), 'use', NEW_ID, '--token', TOKEN)
    expect(useRun.code).toBe(0)
    expect(useRun.stdout).toBe(`use ${NEW_ID}: done here, 1/1 member(s) ok\n  ${b.peerId}  ok\n`)
    expect(b.generator.primaryId).toBe(NEW_ID)
    // Frames stamped under the old key are still retained for repair: not yet.
    const early = await authed('/v1/keys', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ op: 'remove', key: OLD_ID }),
    })
    expect(early.status).toBe(409)
    expect(early.headers.get('retry-after')).toMatch(/^[123]$/)
    const earlyText = await early.text()
    answers.push(earlyText)
    expect(JSON.parse(earlyText)).toMatchObject({
      error: {
        code: 'KEY_RECENTLY_PRIMARY',
        message: expect.stringMatching(/retentionMs \(3000 ms\); remove it in [123] s/),
      },
    })
    let removeRun = { code: -1, stdout: '', stderr: '' }
    await until(
      async () => {
        removeRun = await cli('keys', url(''), 'remove', OLD_ID, '--token', TOKEN, '--json')
        return removeRun.code === 0
      },
      { timeout: 15_000, interval: 200, message: 'remove accepted once retentionMs passed' },
    )
    expect(JSON.parse(removeRun.stdout)).toMatchObject({ op: 'remove', id: OLD_ID })
    const usage = await cli('keys', url(''), 'use', 'nope', '--token', TOKEN)
    expect(usage.code).toBe(2)
    expect(usage.stderr).toMatch(/needs a key id/)
    answers.push(listRun.stdout, useRun.stdout, removeRun.stdout, usage.stderr)

    expect(await (await fetch(url('/v1/keys'))).json()).toEqual({
      keys: [{ id: NEW_ID, primary: true, members: 2 }],
    })
    // Persisted, 0600: a restart starts from it, whatever the key file says.
    const file = new FileKeyringStore(dir)
    // The use and the remove are written one after the other: wait for the last one.
    await until(
      async () => {
        const state = await file.load()
        return state?.primary.id === NEW_ID && installedIds(state).join() === NEW_ID
      },
      { message: 'keyring.json has the new primary and no longer the old key' },
    )
    expect((await stat(file.path)).mode & 0o777).toBe(0o600)
    const reopened = await openKeyring(dir, OLD, KEY_INIT)
    expect(reopened).toMatchObject({ created: false, seedKeyKnown: false })
    expect(reopened.keys.list()).toEqual([{ id: NEW_ID, primary: true }])
    expect(await readFile(file.path, 'utf8')).toContain(NEW_HEX) // the file, and only it

    // The audit log: every operation that reached the keyring, who asked, ids only.
    const audit = (await readFile(join(dir, 'key-audit.jsonl'), 'utf8')).trim().split('\n')
    answers.push(...audit)
    expect(audit.map((l) => JSON.parse(l) as Record<string, unknown>)).toMatchObject([
      { op: 'install', outcome: 'refused', code: 'INVALID_KEY' },
      { op: 'use', id: 'deadbeef', outcome: 'refused', code: 'NO_SUCH_KEY' },
      { op: 'remove', id: OLD_ID, outcome: 'refused', code: 'KEY_IS_PRIMARY' },
      { op: 'install', id: NEW_ID, outcome: 'done', ok: 1, failed: [] },
      { op: 'use', id: NEW_ID, outcome: 'done', who: expect.stringMatching(/127\.0\.0\.1 \(/) },
      { op: 'remove', id: OLD_ID, outcome: 'refused', code: 'KEY_RECENTLY_PRIMARY' },
      // (more refusals if the CLI asked before the second was over)
      ...Array(audit.length - 7).fill({ op: 'remove', code: 'KEY_RECENTLY_PRIMARY' }),
      { op: 'remove', id: OLD_ID, outcome: 'done' },
    ])
    expect((await stat(join(dir, 'key-audit.jsonl'))).mode & 0o777).toBe(0o600)
    for (const text of answers) {
      expect(text).not.toContain(NEW_HEX)
      expect(text).not.toContain(OLD.toString('hex'))
    }
  }, 30_000)
})
