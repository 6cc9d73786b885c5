import { mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { meshNodeView } from '../../src/api/index.js'
import { formatMessage } from '../../src/cli/commands/tail.js'
import type { MeshMessage } from '../../src/node/index.js'
import { ApiFixture, TOKEN, meshOf, readReady, type RunningApi } from '../api/helpers.js'
import { MeshFixture } from '../helpers/mesh.js'
import { until } from '../helpers/until.js'
import { cli, expectUsageError } from './run-cli.js'

const fixture = new MeshFixture()
const apis = new ApiFixture()
afterEach(async () => {
  await apis.stopAll()
  await fixture.stopAll()
})

async function twoNodes(): Promise<{ api: RunningApi; inbox: MeshMessage[]; peerId: string }> {
  const [a, b] = await meshOf(fixture, 2)
  const inbox: MeshMessage[] = []
  b!.onMessage((m) => inbox.push(m))
  const api = await apis.start(meshNodeView(a!))
  await until(async () => (await readReady(api)) === 200, { message: 'ready' })
  return { api, inbox, peerId: a!.peerId }
}

describe('patternmesh send', () => {
  it('broadcasts --data and --file, sends --to, and fails clearly when nothing matches', async () => {
    const { api, inbox, peerId } = await twoNodes()
    const text = await cli('send', api.base, '--data', 'hello from the cli', '--token', TOKEN)
    expect(text.code).toBe(0)
    expect(JSON.parse(text.stdout)).toMatchObject({ id: expect.stringMatching(/^[0-9a-f]{32}$/) })

    const dir = await mkdtemp(join(tmpdir(), 'pm-send-'))
    const file = join(dir, 'payload.bin')
    await writeFile(file, Buffer.from([0, 1, 2, 254, 255]))
    const binary = await cli('send', api.base, '--file', file, '--token', TOKEN)
    expect(binary.code).toBe(0)
    await until(() => inbox.length === 2, { message: 'both broadcasts at b' })
    expect(Buffer.from(inbox[0]!.envelope.data).toString()).toBe('hello from the cli')
    expect([...inbox[1]!.envelope.data]).toEqual([0, 1, 2, 254, 255])

    // Without membership the only member is the node itself: `any` is it.
    const direct = await cli('send', api.base, '--data', 'me', '--to', 'any', '--token', TOKEN)
    expect(direct.code).toBe(0)
    expect(JSON.parse(direct.stdout)).toMatchObject({ to: peerId, attempts: 1 })

    const unknown = await cli(
      'send',
      api.base,
      '--data',
      'x',
      '--to',
      '12D3KooWDpJ7As7BWAwRMfu1VU2WCqNjvq387JEYKDBj4kx6nXTN',
      '--token',
      TOKEN,
    )
    expect(unknown.code).toBe(1)
    expect(unknown.stderr).toMatch(/^patternmesh: error: 404 NO_TARGET: .*not a known member\n$/)

    const acked = await cli(
      'send',
      api.base,
      '--data',
      'x',
      '--ack',
      '1',
      '--timeout',
      '2',
      '--token',
      TOKEN,
    )
    expect(acked.code).toBe(0)
    expect(JSON.parse(acked.stdout)).toMatchObject({ receipts: 0, members: 0 })
  }, 30_000)

  it('refuses bad usage with one clear line', async () => {
    expectUsageError(
      await cli('send', 'http://127.0.0.1:1', '--token', 't'),
      '--data TEXT or --file PATH',
    )
    expectUsageError(
      await cli('send', 'http://127.0.0.1:1', '--data', 'a', '--file', 'f', '--token', 't'),
      'exactly one',
    )
    expectUsageError(
      await cli('send', 'http://127.0.0.1:1', '--data', 'a', '--ack', '1.5', '--token', 't'),
      '--ack: expected a fraction',
    )
    expectUsageError(
      await cli('send', 'http://127.0.0.1:1', '--data', 'a', '--timeout', '0', '--token', 't'),
      '--timeout',
    )
    expectUsageError(
      await cli(
        'send',
        'http://127.0.0.1:1',
        '--data',
        'a',
        '--to',
        'any',
        '--ack',
        '1',
        '--token',
        't',
      ),
      '--to and --ack',
    )
    expectUsageError(
      await cli('send', 'http://127.0.0.1:1', '--file', '/nonexistent/x', '--token', 't'),
      '--file: cannot read',
    )
  })
})

describe('patternmesh tail', () => {
  it('prints the log, follows it, and resumes after a cursor', async () => {
    const { api } = await twoNodes()
    const [a, b] = fixture.nodes
    for (const data of ['one', 'two', 'three']) await b!.broadcast(data)
    await until(() => (a!.messageLog?.stats().size ?? 0) === 3, { message: 'three logged at a' })

    const first = await cli('tail', api.base, '--json', '--max', '3', '--token', TOKEN)
    expect(first.code).toBe(0)
    const lines = first.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { cursor: number; data: string })
    expect(lines.map((l) => l.data)).toEqual(['one', 'two', 'three'])

    // Resume after the second: the third, then it follows what arrives later.
    const following = cli(
      'tail',
      api.base,
      '--json',
      '--after',
      String(lines[1]!.cursor),
      '--max',
      '3',
      '--token',
      TOKEN,
    )
    await b!.broadcast('four')
    await b!.broadcast('five')
    const resumed = await following
    expect(resumed.code).toBe(0)
    expect(
      resumed.stdout
        .trim()
        .split('\n')
        .map((line) => (JSON.parse(line) as { data: string }).data),
    ).toEqual(['three', 'four', 'five'])

    const text = await cli('tail', api.base, '--max', '1', '--token', TOKEN)
    expect(text.stdout).toMatch(new RegExp(`^${lines[0]!.cursor} \\S+Z ${b!.peerId} one\\n$`))
    expectUsageError(await cli('tail', api.base, '--after', '-3', '--token', TOKEN), '--after')
    const refused = await cli('tail', api.base, '--token', 'wrong-token-0123456789')
    expect(refused.code).toBe(1)
    expect(refused.stderr).toMatch(/401/)
  }, 30_000)

  it('formats direct and binary messages on one line', () => {
    const base = { cursor: 7, id: 'i', from: 'P', step: 1, seq: 2, receivedAt: 0 }
    expect(formatMessage({ ...base, data: 'a\nb', encoding: 'utf8', direct: true })).toBe(
      '7 1970-01-01T00:00:00.000Z P direct "a\\nb"\n',
    )
    expect(formatMessage({ ...base, data: 'AAE=', encoding: 'base64', direct: false })).toBe(
      '7 1970-01-01T00:00:00.000Z P base64:AAE=\n',
    )
  })
})
