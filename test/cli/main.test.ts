import { readFile } from 'node:fs/promises'
import { describe, expect, it } from 'vitest'
import { cli, expectUsageError } from './run-cli.js'

describe('patternmesh (program)', () => {
  it('prints the version from package.json with --version', async () => {
    const pkg = JSON.parse(
      await readFile(new URL('../../package.json', import.meta.url), 'utf8'),
    ) as { version: string }
    const run = await cli('--version')
    expect(run).toEqual({ code: 0, stdout: `${pkg.version}\n`, stderr: '' })
  })

  it('lists the commands with --help and exits 0', async () => {
    const run = await cli('--help')
    expect(run.code).toBe(0)
    expect(run.stderr).toBe('')
    for (const command of ['keygen', 'pattern', 'demo'])
      expect(run.stdout).toMatch(new RegExp(`^  ${command}\\b`, 'm'))
  })

  it.each([['keygen'], ['pattern'], ['demo']])('has --help for %s, exit 0', async (command) => {
    const run = await cli(command, '--help')
    expect(run.code).toBe(0)
    expect(run.stdout).toContain(`Usage: patternmesh ${command}`)
    expect((await cli('help', command)).stdout).toBe(run.stdout)
  })

  it('documents the --phase-reset default in pattern --help', async () => {
    const run = await cli('pattern', '--help')
    expect(run.stdout).toMatch(/--phase-reset <n>[\s\S]*0 =\s+never reset[\s\S]*default: 3600/)
  })

  it('prints the help on stderr and exits 2 without a command', async () => {
    const run = await cli()
    expect(run.code).toBe(2)
    expect(run.stdout).toBe('')
    expect(run.stderr).toContain('Usage: patternmesh')
  })

  it('refuses an unknown command or option with one line and exit 2', async () => {
    expectUsageError(await cli('frobnicate'), "unknown command 'frobnicate'")
    expectUsageError(await cli('--frobnicate'), "unknown option '--frobnicate'")
    expectUsageError(await cli('keygne'), /Did you mean keygen\?/)
  })
})
