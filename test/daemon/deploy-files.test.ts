/**
 * The operator's files agree with the code: the systemd unit starts the daemon with flags
 * `patternmesh start` has and reloads it by SIGHUP (and `systemd-analyze verify` passes where
 * systemd is installed: CI installs it), the Prometheus example scrapes the API's /metrics
 * route at the default API port, and LICENSE is the license package.json names.
 */
import { spawnSync } from 'node:child_process'
import { readFile } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { ROUTES } from '../../src/api/routes/index.js'
import { createProgram } from '../../src/cli/main.js'
import { DEFAULT_CONFIG } from '../../src/config/index.js'

const ROOT = fileURLToPath(new URL('../../', import.meta.url))
const read = async (path: string): Promise<string> => await readFile(ROOT + path, 'utf8')

/** `Key=value` lines of a unit file's section, comments and blank lines left out. */
function directives(unit: string): Map<string, string[]> {
  const out = new Map<string, string[]>()
  for (const line of unit.split('\n')) {
    const match = /^([A-Za-z]+)=(.*)$/.exec(line.trim())
    if (match === null) continue
    out.set(match[1]!, [...(out.get(match[1]!) ?? []), match[2]!])
  }
  return out
}

function startOptions(): Set<string> {
  const program = createProgram({
    io: { stdout: { write: () => true }, stderr: { write: () => true } } as never,
    exitCode: 0,
  })
  const start = program.commands.find((c) => c.name() === 'start')!
  return new Set(start.options.map((o) => o.long!))
}

describe('deploy/patternmesh.service', () => {
  it('runs `patternmesh start` with flags it has, as its own user, reloaded by SIGHUP', async () => {
    const unit = directives(await read('deploy/patternmesh.service'))
    const one = (key: string): string => {
      expect(unit.get(key), key).toHaveLength(1)
      return unit.get(key)![0]!
    }
    const execStart = one('ExecStart')
    expect(execStart).toMatch(/^\/usr\/bin\/env patternmesh start /)
    const flags = execStart.split(/\s+/).filter((word) => word.startsWith('--'))
    expect(flags.length).toBeGreaterThan(0)
    const known = startOptions()
    for (const flag of flags) expect(known, `patternmesh start ${flag}`).toContain(flag)

    expect(one('ExecReload')).toBe('/bin/kill -HUP $MAINPID')
    expect(one('Type')).toMatch(/^(simple|notify)$/)
    expect(one('User')).toBe('patternmesh')
    // The data dir is the state directory systemd makes for the user.
    expect(unit.get('Environment')).toContain(
      `PATTERNMESH_DATA_DIR=/var/lib/${one('StateDirectory')}`,
    )
    // The key file handed over as a credential is the one ExecStart reads.
    expect(one('LoadCredential')).toMatch(/^mesh\.key:/)
    expect(execStart).toContain('--key-file %d/mesh.key')
    for (const [key, value] of [
      ['NoNewPrivileges', 'yes'],
      ['ProtectSystem', 'strict'],
      ['ProtectHome', 'yes'],
      ['PrivateTmp', 'yes'],
      ['UMask', '0077'],
      ['CapabilityBoundingSet', ''],
    ] as const) {
      expect(one(key), key).toBe(value)
    }
  })

  it('passes systemd-analyze verify without a warning, where systemd is installed', () => {
    const probe = spawnSync('systemd-analyze', ['--version'], { encoding: 'utf8' })
    // CI installs systemd and also runs the verify itself (.ci/run); without it, the unit's
    // content is still checked above.
    if (probe.error !== undefined) return
    // verify only warns (exit 0) about unknown keys and bad values: any line about it fails.
    const result = spawnSync('systemd-analyze', ['verify', 'deploy/patternmesh.service'], {
      cwd: ROOT,
      encoding: 'utf8',
    })
    expect(result.status).toBe(0)
    expect(result.stdout).toBe('')
    expect(result.stderr.split('\n').filter((l) => l.includes('patternmesh'))).toEqual([])
  })
})

describe('deploy/prometheus.yml', () => {
  it('scrapes the API’s unauthenticated /metrics route at the default API port', async () => {
    const text = await read('deploy/prometheus.yml')
    const metrics = ROUTES.find((r) => r.path === '/metrics')!
    expect(metrics).toMatchObject({ method: 'GET', auth: false })
    expect(text).toMatch(new RegExp(`^\\s+metrics_path: ${metrics.path}$`, 'm'))
    const defaultPort = DEFAULT_CONFIG.api.split(':').at(-1)!
    expect(text).toMatch(new RegExp(`^\\s+- [\\w.]+:${defaultPort}$`, 'm'))
    expect(text).toMatch(/^\s+- job_name: patternmesh$/m)
  })
})

describe('LICENSE', () => {
  it('is the license package.json names', async () => {
    const pkg = JSON.parse(await read('package.json')) as { license: string }
    expect(pkg.license).toBe('MIT')
    expect((await read('LICENSE')).split('\n')[0]).toBe('MIT License')
  })
})
