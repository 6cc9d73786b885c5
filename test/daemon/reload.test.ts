import { EventEmitter } from 'node:events'
import { readFileSync } from 'node:fs'
import pino from 'pino'
import { describe, expect, it } from 'vitest'
import { LIVE_CONFIG_KEYS } from '../../src/advice/index.js'
import { DEFAULT_CONFIG, mergeConfig, type MeshConfig } from '../../src/config/index.js'
import { ConfigError } from '../../src/errors.js'
import {
  ConfigReloader,
  createLogger,
  handleReloadSignal,
  handleShutdownSignals,
  planReload,
  type SignalSource,
} from '../../src/daemon/index.js'
import type { LiveConfig } from '../../src/node/ports.js'
import { until } from '../helpers/until.js'

function configWith(changes: Partial<MeshConfig> = {}): MeshConfig {
  return mergeConfig(DEFAULT_CONFIG, { seed: 'reload-test', ...changes })
}

/** A pino logger whose lines land in `lines`. */
function capture(): { logger: pino.Logger; lines: Array<Record<string, unknown>> } {
  const lines: Array<Record<string, unknown>> = []
  const logger = pino(
    { level: 'info' },
    { write: (line: string) => lines.push(JSON.parse(line) as Record<string, unknown>) },
  )
  return { logger, lines }
}

/** A LiveConfig like MeshNode's: applyConfig assigns the keys. */
function stubNode(config: MeshConfig): LiveConfig & { applied: Array<Partial<MeshConfig>> } {
  const live = { ...config }
  const applied: Array<Partial<MeshConfig>> = []
  return {
    config: live,
    applied,
    applyConfig(changes) {
      applied.push(changes)
      Object.assign(live, changes)
    },
  }
}

describe('planReload', () => {
  it('splits the changed keys into live ones (the CONFIG advice set) and restart ones', () => {
    const before = configWith()
    const after = configWith({
      heartbeatIntervalMs: 300,
      stepWindow: 4,
      cacheSize: 2048,
      listen: ['/ip4/127.0.0.1/tcp/1'],
    })
    expect(planReload(before, after)).toEqual({
      changed: ['cacheSize', 'heartbeatIntervalMs', 'listen', 'stepWindow'],
      live: { heartbeatIntervalMs: 300, stepWindow: 4 },
      needsRestart: ['cacheSize', 'listen'],
    })
  })

  it("the README's list of live keys (under Advice) is the CONFIG advice list", () => {
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8')
    const item =
      /^- \*\*Types\.\*\* `CONFIG`: config keys that can change while running \(([^)]*)\)/m
    const listed = [...(item.exec(readme)?.[1] ?? '').split(';')[0]!.matchAll(/`(\w+)`/g)].map(
      (m) => m[1],
    )
    // heartbeatInterval is heartbeatIntervalMs's old name, not a key of its own.
    const live = LIVE_CONFIG_KEYS.filter((key) => key !== 'heartbeatInterval')
    expect([...listed].sort()).toEqual([...live].sort())
  })

  it('uses the CONFIG advice list itself: every live key applies, no other', () => {
    for (const key of LIVE_CONFIG_KEYS) {
      if (key === 'heartbeatInterval') continue // an input alias, never in a loaded config
      const before = configWith({ logLevel: 'info', preempt: false })
      const value =
        key === 'logLevel' ? 'warn' : key === 'preempt' ? true : key === 'suspectAfter' ? 4 : 7
      const after = { ...before, [key]: value } as MeshConfig
      expect(planReload(before, after).live).toEqual({ [key]: value })
    }
    expect(planReload(configWith(), configWith({ weight: 3 })).needsRestart).toEqual(['weight'])
  })

  it('sees a key removed from the file (back to its default, or unset)', () => {
    const plan = planReload(
      configWith({ principalHeartbeatIntervalMs: 200, stepWindow: 5 }),
      configWith(),
    )
    expect(plan.changed).toEqual(['principalHeartbeatIntervalMs', 'stepWindow'])
    expect(plan.live).toEqual({ principalHeartbeatIntervalMs: undefined, stepWindow: 2 })
  })

  it('compares lists by value', () => {
    const before = configWith({ bootstrap: ['/a', '/b'] })
    expect(planReload(before, configWith({ bootstrap: ['/a', '/b'] })).changed).toEqual([])
  })
})

describe('ConfigReloader', () => {
  function setup(initial = configWith(), options: { started?: boolean } = {}) {
    let next: () => Promise<MeshConfig> = async () => initial
    const node = stubNode(initial)
    let running = true
    const { logger, lines } = capture()
    const reloader = new ConfigReloader({
      load: async () => await next(),
      target: () => (running ? node : undefined),
      logger,
      initial,
    })
    // The phase changes at the call; nothing is deferred here.
    if (options.started !== false) void reloader.started()
    return {
      node,
      lines,
      logger,
      reloader,
      loads: (fn: () => Promise<MeshConfig>) => (next = fn),
      stop: () => (running = false),
    }
  }

  it('applies the live keys through applyConfig and logs what changed and what needs a restart', async () => {
    const t = setup()
    t.loads(async () => configWith({ heartbeatIntervalMs: 300, cacheSize: 4096 }))
    const result = await t.reloader.reload()
    expect(result).toEqual({
      outcome: 'reloaded',
      applied: ['heartbeatIntervalMs'],
      needsRestart: ['cacheSize'],
    })
    expect(t.node.applied).toEqual([{ heartbeatIntervalMs: 300 }])
    expect(t.node.config.heartbeatIntervalMs).toBe(300)
    expect(t.node.config.cacheSize).toBe(DEFAULT_CONFIG.cacheSize)
    const line = t.lines.at(-1)!
    expect(line['msg']).toMatch(
      /config reloaded: applied heartbeatIntervalMs; cacheSize changed but takes effect only after a restart/,
    )
    expect(line['changed']).toEqual({
      heartbeatIntervalMs: { from: 1000, to: 300 },
      cacheSize: { from: 1024, to: 4096 },
    })
    expect(t.reloader.status()).toMatchObject({ reloads: 1, needsRestart: ['cacheSize'] })

    // Nothing applied twice; the restart key stays reported until the restart.
    const again = await t.reloader.reload()
    expect(again).toEqual({ outcome: 'reloaded', applied: [], needsRestart: ['cacheSize'] })
    expect(t.node.applied).toHaveLength(1)
    // Two of them: "take".
    t.loads(async () => configWith({ heartbeatIntervalMs: 300, cacheSize: 4096, weight: 2 }))
    await t.reloader.reload()
    expect(t.lines.at(-1)!['msg']).toBe(
      'config reloaded: applied nothing; cacheSize, weight changed but take effect only after a restart',
    )
  })

  it('says so when nothing changed', async () => {
    const t = setup()
    expect(await t.reloader.reload()).toEqual({
      outcome: 'unchanged',
      applied: [],
      needsRestart: [],
    })
    expect(t.lines.at(-1)!['msg']).toBe('config reloaded: nothing changed')
  })

  it('refuses a bad file with one log line and keeps the running config', async () => {
    const t = setup(configWith({ heartbeatIntervalMs: 500 }))
    t.loads(async () => {
      throw new ConfigError('config file /etc/pm.json: not valid JSON (Unexpected end)')
    })
    const result = await t.reloader.reload()
    expect(result.outcome).toBe('refused')
    expect(t.node.applied).toEqual([])
    expect(t.node.config.heartbeatIntervalMs).toBe(500)
    expect(t.lines).toHaveLength(1)
    expect(t.lines[0]).toMatchObject({
      level: 50,
      msg: 'config reload refused, running config kept: config file /etc/pm.json: not valid JSON (Unexpected end)',
    })
  })

  it('refuses live values that break a rule with the running config', async () => {
    // deadAfter ≥ suspectAfter: a CONFIG advice lowered deadAfter to 4; the file (valid by
    // itself) raises suspectAfter to 5.
    const t = setup()
    t.node.applyConfig({ deadAfter: 4 })
    t.node.applied.length = 0
    t.loads(async () => configWith({ suspectAfter: 5 }))
    const result = await t.reloader.reload()
    expect(result.outcome).toBe('refused')
    expect(result.error).toBe('deadAfter (4) must be at least suspectAfter (5)')
    expect(t.node.applied).toEqual([])
    expect(t.lines.at(-1)!['msg']).toMatch(/^config reload refused, running config kept: deadAfter/)

    // weight ≤ maxWeight: weight needs a restart, so the running weight 5 is what counts.
    const w = setup(configWith({ weight: 5 }))
    w.loads(async () => configWith({ weight: 3, maxWeight: 4 }))
    expect((await w.reloader.reload()).error).toBe('weight 5 is above maxWeight 4')
    expect(w.node.config.maxWeight).toBe(DEFAULT_CONFIG.maxWeight)
  })

  it('leaves values set by CONFIG advice alone unless the file changes that key', async () => {
    const t = setup()
    t.node.applyConfig({ stepWindow: 6 }) // a CONFIG advice
    t.loads(async () => configWith({ batchLingerMs: 5 }))
    await t.reloader.reload()
    expect(t.node.config).toMatchObject({ stepWindow: 6, batchLingerMs: 5 })
  })

  it('sets a changed logLevel on the logger', async () => {
    const t = setup()
    t.loads(async () => configWith({ logLevel: 'warn' }))
    await t.reloader.reload()
    expect(t.logger.level).toBe('warn')
  })

  it('keeps secrets out of the log', async () => {
    const t = setup(configWith({ apiToken: 'a'.repeat(32) }))
    t.loads(async () => configWith({ apiToken: 'b'.repeat(32) }))
    await t.reloader.reload()
    const line = t.lines.at(-1)!
    expect(JSON.stringify(line)).not.toMatch(/aaaa|bbbb/)
    expect(line['changed']).toEqual({ apiToken: '(changed)' })
  })

  it('holds a reload asked for while the daemon starts until it has started', async () => {
    const t = setup(configWith(), { started: false })
    t.loads(async () => configWith({ heartbeatIntervalMs: 300 }))
    expect((await t.reloader.reload()).outcome).toBe('deferred')
    expect((await t.reloader.reload()).outcome).toBe('deferred')
    expect(t.node.applied).toEqual([])
    expect(t.lines.at(-1)!['msg']).toBe('config reload deferred until the daemon has started')
    expect(await t.reloader.started()).toMatchObject({
      outcome: 'reloaded',
      applied: ['heartbeatIntervalMs'],
    })
    expect(t.node.applied).toEqual([{ heartbeatIntervalMs: 300 }])
    // Nothing deferred: started() does not load.
    const u = setup(configWith(), { started: false })
    expect(await u.reloader.started()).toBeUndefined()
    expect(u.lines).toEqual([])
  })

  it('does nothing once the daemon has stopped', async () => {
    const t = setup()
    t.stop()
    t.loads(async () => configWith({ heartbeatIntervalMs: 300 }))
    expect((await t.reloader.reload()).outcome).toBe('not-running')
    expect(t.node.applied).toEqual([])
  })

  it('runs one reload at a time and folds a burst into one more', async () => {
    const t = setup()
    let loads = 0
    let release!: () => void
    const gate = new Promise<void>((resolve) => (release = resolve))
    t.loads(async () => {
      loads++
      await gate
      return configWith({ heartbeatIntervalMs: 300 })
    })
    const all = [t.reloader.reload(), t.reloader.reload(), t.reloader.reload()]
    release()
    await Promise.all(all)
    expect(loads).toBe(2)
    expect(t.node.applied).toEqual([{ heartbeatIntervalMs: 300 }])
  })
})

describe('signals', () => {
  const source = (): EventEmitter & SignalSource =>
    new EventEmitter() as EventEmitter & SignalSource

  it('SIGHUP reloads and never stops; the remover takes the handler away', async () => {
    const emitter = source()
    const { logger } = capture()
    let reloads = 0
    const remove = handleReloadSignal(
      async () => {
        reloads++
        throw new Error('reload threw')
      },
      logger,
      emitter,
    )
    emitter.emit('SIGHUP', 'SIGHUP')
    emitter.emit('SIGHUP', 'SIGHUP')
    await until(() => reloads === 2)
    remove()
    expect(emitter.listenerCount('SIGHUP')).toBe(0)
  })

  it('a second SIGINT/SIGTERM forces exit while the first is stopping', async () => {
    const emitter = source()
    const { logger, lines } = capture()
    const codes: number[] = []
    let finishStop!: () => void
    const stopping = new Promise<void>((resolve) => (finishStop = resolve))
    const remove = handleShutdownSignals(
      async () => await stopping,
      logger,
      (code) => codes.push(code),
      emitter,
    )
    emitter.emit('SIGTERM', 'SIGTERM')
    expect(codes).toEqual([])
    emitter.emit('SIGINT', 'SIGINT')
    expect(codes).toEqual([130])
    expect(lines.map((l) => l['msg'])).toContain('second signal: exiting now')
    finishStop()
    await until(() => codes.length === 2)
    expect(codes).toEqual([130, 0])
    remove()
    expect(emitter.listenerCount('SIGTERM') + emitter.listenerCount('SIGINT')).toBe(0)
  })
})

describe('createLogger', () => {
  it('passes a level change of the root to child loggers, grandchildren too', () => {
    const root = createLogger('info', { pretty: false })
    const child = root.child({ component: 'a' })
    const grandchild = child.child({ part: 'b' })
    root.level = 'debug'
    expect([child.level, grandchild.level]).toEqual(['debug', 'debug'])
    root.level = 'warn'
    expect([child.level, grandchild.level]).toEqual(['warn', 'warn'])
  })
})
