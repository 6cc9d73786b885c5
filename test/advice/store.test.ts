/** The advice log on disk: durable appends, a torn last line cut off, compaction. */
import { appendFile, mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { FileAdviceStore, type AdviceRecord } from '../../src/advice/index.js'

const dirs: string[] = []
afterEach(async () => {
  await Promise.all(dirs.splice(0).map(async (d) => await rm(d, { recursive: true, force: true })))
})

async function dir(): Promise<string> {
  const d = await mkdtemp(join(tmpdir(), 'pm-advice-'))
  dirs.push(d)
  return d
}

const result = (i: number): AdviceRecord => ({
  t: 'result',
  result: { adviceId: `a${i}`, target: 'P', status: 'accepted', at: i },
})

describe('FileAdviceStore', () => {
  it('keeps every acknowledged append across reopen, group-committing concurrent ones', async () => {
    const d = await dir()
    const store = new FileAdviceStore(d)
    await Promise.all(Array.from({ length: 50 }, async (_, i) => await store.append([result(i)])))
    await store.close()
    const again = new FileAdviceStore(d)
    const records = await again.load()
    expect(records).toHaveLength(50)
    expect(new Set(records.map((r) => (r.t === 'result' ? r.result.at : -1))).size).toBe(50)
  })

  it('cuts off a torn last line (a crash mid-write), and appends after it cleanly', async () => {
    const d = await dir()
    const store = new FileAdviceStore(d)
    await store.append([result(1), result(2)])
    await store.close()
    await appendFile(store.path, '{"t":"result","result":{"advice')
    const reopened = new FileAdviceStore(d)
    expect(await reopened.load()).toHaveLength(2)
    await reopened.append([result(3)])
    await reopened.close()
    expect(await new FileAdviceStore(d).load()).toHaveLength(3)
    expect((await readFile(store.path, 'utf8')).endsWith('\n')).toBe(true)
  })

  it('compacts to the live records atomically', async () => {
    const d = await dir()
    const store = new FileAdviceStore(d)
    await store.append([result(1), result(1), result(2)])
    await store.compact([result(1), result(2)])
    await store.append([result(3)])
    await store.close()
    expect(await new FileAdviceStore(d).load()).toHaveLength(3)
  })
})
