/** The advice audit log (`advice-audit.jsonl`): JSON lines, 0600, bounded (moved to `.1`). */
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { FileAdviceAudit } from '../../src/advice/audit.js'

const dirs: string[] = []
afterEach(async () => {
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true })
})

const entry = (i: number) => ({ at: i, event: 'issue' as const, who: 'test', outcome: 'stamped' })

describe('FileAdviceAudit', () => {
  it('appends JSON lines (0600) and keeps two files at most past its bound', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'pm-advice-audit-'))
    dirs.push(dir)
    const line = JSON.stringify(entry(0)).length + 1
    const audit = new FileAdviceAudit(join(dir, 'data'), { maxBytes: 2 * line })
    const lines = async (path: string): Promise<number[]> =>
      (await readFile(path, 'utf8'))
        .trim()
        .split('\n')
        .map((l) => (JSON.parse(l) as { at: number }).at)
    for (let i = 0; i < 5; i++) await audit.write(entry(i))
    expect((await stat(audit.path)).mode & 0o777).toBe(0o600)
    expect(await lines(`${audit.path}.1`)).toEqual([2, 3])
    expect(await lines(audit.path)).toEqual([4])
  })
})
