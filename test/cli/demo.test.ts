import { describe, expect, it } from 'vitest'
import { runDemoCases } from '../../src/cli/commands/demo.js'
import { VERDICT_OF } from '../../src/protocol/index.js'
import { cli } from './run-cli.js'

describe('patternmesh demo', () => {
  it('gives each frame the verdict it is there to show', () => {
    const run = runDemoCases()
    expect(run.cases.map((c) => [c.name, c.result.code])).toEqual([
      ['honest', 'ACCEPTED'],
      ['forged', 'PATTERN_MISMATCH'],
      ['tampered', 'TAG_MISMATCH'],
      ['replay', 'REPLAY'],
      ['far step', 'STEP_SKEW'],
      ['oversized', 'OVERSIZE'],
      ['malformed', 'MALFORMED'],
    ])
    for (const c of run.cases) expect(c.result.verdict).toBe(VERDICT_OF[c.expected])
  })

  it('explains the seed, prints every verdict and exits 0', async () => {
    const run = await cli('demo')
    expect(run.code).toBe(0)
    expect(run.stderr).toBe('')
    expect(run.stdout).toContain('NOT for')
    expect(run.stdout).toMatch(/key [0-9a-f]{64}\n/)
    for (const code of [
      'ACCEPTED',
      'PATTERN_MISMATCH',
      'TAG_MISMATCH',
      'REPLAY',
      'STEP_SKEW',
      'OVERSIZE',
      'MALFORMED',
    ]) {
      expect(run.stdout).toMatch(new RegExp(`\\b${code}\\b +ok\\n`))
    }
    expect(run.stdout).toContain('7/7 frames got the expected verdict.')
  })
})
