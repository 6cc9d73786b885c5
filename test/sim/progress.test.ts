import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runCli } from '../../src/cli/main.js'
import { progressPrinter, type ProgressStream } from '../../src/sim/index.js'

interface Sink extends ProgressStream {
  text: string
}

function sink(isTTY: boolean, columns?: number): Sink {
  const stream: Sink = {
    text: '',
    isTTY,
    write: (chunk: string) => (stream.text += chunk),
  }
  if (columns !== undefined) stream.columns = columns
  return stream
}

let dir: string
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'pm-progress-'))
})
afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

describe('progress line', () => {
  it('on a terminal: one line rewritten in place, cut to the width, ended once', () => {
    const tty = sink(true, 30)
    const progress = progressPrinter(tty)
    for (let i = 0; i < 40; i++) progress.update(`[demo] ${i}s  nodes 5/5  principal n0  sent ${i}`)
    progress.done()
    expect(tty.text.split('\n')).toEqual([expect.any(String), ''])
    const rewrites = tty.text.trimEnd().split('\r').slice(1)
    expect(rewrites).toHaveLength(40)
    for (const line of rewrites) {
      expect(line.endsWith('\x1b[K')).toBe(true)
      expect(line.length - '\x1b[K'.length).toBeLessThanOrEqual(29)
    }
  })

  it('in a file or a pipe: one line every 5 s, and the last state at the end', () => {
    const file = sink(false)
    let now = 0
    const progress = progressPrinter(file, { now: () => now })
    // 100 s of updates every 250 ms: 400 updates.
    for (; now < 100_000; now += 250) progress.update(`[demo] ${(now / 1000).toFixed(2)}s`)
    progress.done()
    const lines = file.text.trimEnd().split('\n')
    expect(lines).toHaveLength(21)
    expect(lines.slice(0, 3)).toEqual(['[demo] 0.00s', '[demo] 5.00s', '[demo] 10.00s'])
    expect(lines.at(-1)).toBe('[demo] 99.75s')
    expect(file.text).not.toContain('\r')
  })

  it('simulate on a terminal: the run rewrites one stderr line and ends it', async () => {
    const path = join(dir, 'tty.json')
    await writeFile(path, JSON.stringify({ name: 'tty', duration: 2, nodes: { count: 2 } }))
    let stdout = ''
    const stderr = sink(true, 80)
    const code = await runCli(['simulate', path], {
      stdout: { write: (chunk: string) => (stdout += chunk) },
      stderr,
    })
    expect(code).toBe(0)
    expect(stdout).toMatch(/scenario tty \(in-process/)
    expect(stderr.text.match(/\r\[tty\] /g)?.length ?? 0).toBeGreaterThanOrEqual(4)
    expect(stderr.text.split('\n')).toEqual([expect.any(String), ''])
  })
})
