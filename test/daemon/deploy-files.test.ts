/**
 * The operator's files agree with the code: the systemd unit starts the daemon with flags
 * `patternmesh start` has and reloads it by SIGHUP (and `systemd-analyze verify` passes where
 * systemd is installed: CI installs it), its own ExecStart and ExecReload lines run a daemon
 * and reload it, the Prometheus example scrapes the API's /metrics route at the default API
 * port, and LICENSE is the license package.json names.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { delimiter, join } from 'node:path'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { afterEach, describe, expect, it } from 'vitest'
import { ROUTES } from '../../src/api/routes/index.js'
import { generateNetworkKeyHex } from '../../src/cli/commands/keygen.js'
import { createProgram } from '../../src/cli/main.js'
import { DEFAULT_CONFIG } from '../../src/config/index.js'
import { until } from '../helpers/until.js'

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

describe("deploy/patternmesh.service's own command lines", () => {
  let child: ChildProcess | undefined
  let dir: string | undefined
  afterEach(async () => {
    if (child !== undefined && child.exitCode === null && child.signalCode === null)
      child.kill('SIGKILL')
    child = undefined
    if (dir !== undefined) await rm(dir, { recursive: true, force: true })
    dir = undefined
  })

  it('ExecStart runs the daemon on the example config and the credential; ExecReload reloads it', async () => {
    const unit = directives(await read('deploy/patternmesh.service'))
    const execStart = unit.get('ExecStart')![0]!
    const execReload = unit.get('ExecReload')![0]!
    dir = await mkdtemp(join(tmpdir(), 'pm-unit-'))
    // What the set-up steps make, in a temp dir: the key handed over as a credential (%d), the
    // example config copied to /etc/patternmesh (on loopback here), `patternmesh` on the PATH.
    const credentials = join(dir, 'credentials')
    const state = join(dir, 'state')
    const bin = join(dir, 'bin')
    for (const d of [credentials, state, bin]) await mkdir(d, { mode: 0o700 })
    await writeFile(join(credentials, 'mesh.key'), generateNetworkKeyHex() + '\n', { mode: 0o600 })
    let config = await read('configs/node.example.json')
    for (const [from, to] of [
      [
        '"listen": ["/ip4/0.0.0.0/tcp/4001", "/ip4/0.0.0.0/tcp/4002/ws"]',
        '"listen": ["/ip4/127.0.0.1/tcp/0"]',
      ],
      ['"mdns": true', '"mdns": false'],
      ['"api": "127.0.0.1:7070"', '"api": "127.0.0.1:0"'],
    ] as const) {
      expect(config, from).toContain(from)
      config = config.replace(from, to)
    }
    const configFile = join(dir, 'patternmesh.json')
    await writeFile(configFile, config)
    const shim = join(bin, 'patternmesh')
    await writeFile(
      shim,
      `#!/bin/sh\nexec "${process.execPath}" "${ROOT}bin/patternmesh.js" "$@"\n`,
    )
    await chmod(shim, 0o755)

    // ExecStart as systemd runs it: %d the credentials dir, Environment= lines, cwd /.
    const words = execStart
      .replaceAll('%d', credentials)
      .replace('/etc/patternmesh/patternmesh.json', configFile)
      .split(/\s+/)
    expect(words.join(' ')).toContain(`--config ${configFile}`)
    const environment = Object.fromEntries(
      (unit.get('Environment') ?? []).map((line) => line.split('=', 2) as [string, string]),
    )
    expect(environment['PATTERNMESH_DATA_DIR']).toBe('/var/lib/patternmesh')
    environment['PATTERNMESH_DATA_DIR'] = state
    const daemon = spawn(words[0]!, words.slice(1), {
      cwd: '/',
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { PATH: `${bin}${delimiter}${process.env['PATH'] ?? ''}`, ...environment },
    })
    child = daemon
    const logs: Array<Record<string, unknown>> = []
    createInterface({ input: daemon.stdout! }).on('line', (line) => {
      try {
        logs.push(JSON.parse(line) as Record<string, unknown>)
      } catch {
        // not a log line
      }
    })
    const stderr: string[] = []
    createInterface({ input: daemon.stderr! }).on('line', (line) => stderr.push(line))
    const started = (): Record<string, unknown> | undefined =>
      logs.find((l) => l['msg'] === 'patternmesh started')
    await until(
      () => {
        if (daemon.exitCode !== null)
          throw new Error(`exited ${daemon.exitCode}: ${stderr.join('\n')}`)
        return started() !== undefined
      },
      { timeout: 20_000, message: 'the daemon started by ExecStart' },
    )
    // The data dir from Environment=; the key from the credential (the example config's
    // keyFile, ./mesh.key from /, does not exist: --key-file replaced it).
    expect(started()!['dataDir']).toBe(state)

    // ExecReload as systemd runs it: $MAINPID is the process ExecStart started (env and the
    // shim exec, so it is the daemon itself).
    expect(config).toContain('"heartbeatIntervalMs": 1000')
    await writeFile(
      configFile,
      config.replace('"heartbeatIntervalMs": 1000', '"heartbeatIntervalMs": 700'),
    )
    const reload = execReload.replace('$MAINPID', String(daemon.pid)).split(/\s+/)
    expect(spawnSync(reload[0]!, reload.slice(1)).status).toBe(0)
    await until(() => logs.some((l) => String(l['msg']).startsWith('config reloaded')), {
      timeout: 10_000,
      message: 'the reload log line',
    })
    expect(logs.find((l) => String(l['msg']).startsWith('config reloaded'))!['applied']).toEqual([
      'heartbeatIntervalMs',
    ])
    expect(daemon.exitCode).toBeNull()

    // KillSignal=SIGTERM: a clean stop.
    const exited = new Promise<number | null>((resolve) => daemon.once('exit', resolve))
    daemon.kill(unit.get('KillSignal')![0]! as NodeJS.Signals)
    expect(await exited).toBe(0)
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
