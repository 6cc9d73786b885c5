/** Nothing of the transport outlives stop(): a process that stops its nodes ends by itself. */
import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import type { SimTransportStats } from '../../../src/sim/transport/index.js'

const FIXTURE = fileURLToPath(new URL('./fixtures/stop-and-exit.ts', import.meta.url))
const ROOT = fileURLToPath(new URL('../../..', import.meta.url))

describe('conditioned memory transport after stop()', () => {
  it('leaves no timer or handle: the process exits long before the 10 s in flight would arrive', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', FIXTURE], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let stdout = ''
    let stderr = ''
    let stoppedAt: number | undefined
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString()
      if (stoppedAt == null && stdout.includes('stopped ')) stoppedAt = performance.now()
    })
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve))
    const exitedAt = performance.now()

    expect(code, stderr).toBe(0)
    expect(stoppedAt, stdout).toBeDefined()
    expect(exitedAt - (stoppedAt ?? 0)).toBeLessThan(5_000)
    const stats = JSON.parse(stdout.slice(stdout.indexOf('stopped ') + 8)) as SimTransportStats
    expect(stats).toMatchObject({
      openConnections: 0,
      activeTimers: 0,
      queuedSegments: 0,
      queuedBytes: 0,
    })
    expect(stats.segmentsDiscarded).toBeGreaterThan(0)
  })
})
