/**
 * Config reload (SIGHUP, `systemctl reload`): the config is loaded again from the same sources
 * as at start (file, environment, flags: flags still win), compared with what the sources said
 * last time, and the changed keys that a running node can take (the CONFIG advice's live keys)
 * are applied through `applyConfig`. The others are logged as needing a restart. A load that
 * fails leaves the running config as it is. A reload never stops the daemon.
 */
import { isDeepStrictEqual } from 'node:util'
import type { Logger } from 'pino'
import { LIVE_CONFIG_KEYS } from '../advice/index.js'
import { validateMergedConfig, type MeshConfig } from '../config/index.js'
import type { LiveConfig } from '../node/ports.js'

/** Keys whose values never go into a log line (only that they changed). */
const SECRET_KEYS: ReadonlySet<string> = new Set(['seed', 'apiToken', 'apiReadToken'])

const LIVE: ReadonlySet<string> = new Set<string>(LIVE_CONFIG_KEYS)

export interface ReloadPlan {
  /** Keys whose value differs between the two loads, sorted. */
  changed: string[]
  /** The changed keys a running node applies, with their new values (undefined: unset). */
  live: Partial<MeshConfig>
  /** The changed keys that take effect only at the next start. */
  needsRestart: string[]
}

/** What changed between two loads of the config, and what of it can be applied live. */
export function planReload(before: Readonly<MeshConfig>, after: Readonly<MeshConfig>): ReloadPlan {
  const keys = new Set([...Object.keys(before), ...Object.keys(after)])
  const changed = [...keys]
    .filter((key) => !isDeepStrictEqual(valueOf(before, key), valueOf(after, key)))
    .sort()
  const live: Record<string, unknown> = {}
  const needsRestart: string[] = []
  for (const key of changed) {
    if (LIVE.has(key)) live[key] = valueOf(after, key)
    else needsRestart.push(key)
  }
  return { changed, live: live as Partial<MeshConfig>, needsRestart }
}

/** `{ key: { from, to } }` for a log line; secrets show as `(changed)`. */
export function describeChanges(
  before: Readonly<MeshConfig>,
  after: Readonly<MeshConfig>,
  keys: readonly string[],
): Record<string, { from: unknown; to: unknown } | '(changed)'> {
  const out: Record<string, { from: unknown; to: unknown } | '(changed)'> = {}
  for (const key of keys) {
    out[key] = SECRET_KEYS.has(key)
      ? '(changed)'
      : { from: valueOf(before, key) ?? null, to: valueOf(after, key) ?? null }
  }
  return out
}

/**
 * reloaded: something changed (applied live, or pending a restart); deferred: asked while the
 * daemon starts, done once it has started; not-running: asked after it stopped.
 */
export type ReloadOutcome = 'reloaded' | 'unchanged' | 'refused' | 'deferred' | 'not-running'

export interface ReloadResult {
  outcome: ReloadOutcome
  /** Keys applied live. */
  applied: string[]
  /** Changed keys that need a restart (still pending). */
  needsRestart: string[]
  /** Why it was refused. */
  error?: string
}

export interface ConfigReloaderInit {
  /** Loads the config from the start's sources (throws ConfigError on a bad file or value). */
  load: () => Promise<MeshConfig>
  /** The running node, or undefined while the daemon is not running. */
  target: () => LiveConfig | undefined
  /** The daemon's root logger: a changed `logLevel` is set on it (children follow). */
  logger: Logger
  /** The config the daemon started with. */
  initial: Readonly<MeshConfig>
}

/**
 * Reloads on demand, one at a time: a request during a reload runs once after it (requests in
 * between are folded into that one, so a burst of SIGHUPs costs two loads at most).
 */
export class ConfigReloader {
  private readonly init: ConfigReloaderInit
  /**
   * What the sources said at the last load, except for keys that need a restart: those keep
   * the value the daemon runs with, so every reload reports them until the restart. Compared
   * with it (not with the node's config), a reload applies only what the operator changed and
   * leaves values set since by CONFIG advice alone.
   */
  private baseline: MeshConfig
  private running: Promise<ReloadResult> | undefined
  private queued: Promise<ReloadResult> | undefined
  private reloads = 0
  private lastAt: number | undefined
  private pendingRestart: string[] = []
  private phase: 'starting' | 'started' = 'starting'
  private deferred = false

  constructor(init: ConfigReloaderInit) {
    this.init = init
    this.baseline = { ...init.initial }
  }

  /**
   * The daemon has started: a reload asked for while it started runs now (the file may have
   * changed after the start read it).
   */
  async started(): Promise<ReloadResult | undefined> {
    this.phase = 'started'
    if (!this.deferred) return undefined
    this.deferred = false
    return await this.reload()
  }

  /** Reloads now, or after the reload under way. Never throws. */
  async reload(): Promise<ReloadResult> {
    if (this.phase === 'starting') {
      this.deferred = true
      this.init.logger.info('config reload deferred until the daemon has started')
      return { outcome: 'deferred', applied: [], needsRestart: [] }
    }
    if (this.running === undefined) return await this.run()
    this.queued ??= this.running.then(async () => {
      this.queued = undefined
      return await this.run()
    })
    return await this.queued
  }

  /** For the status: reloads done, when the last one was, what still needs a restart. */
  status(): { reloads: number; reloadedAt: number | null; needsRestart: string[] } {
    return {
      reloads: this.reloads,
      reloadedAt: this.lastAt ?? null,
      needsRestart: [...this.pendingRestart],
    }
  }

  private async run(): Promise<ReloadResult> {
    const done = this.reloadOnce()
    this.running = done
    try {
      return await done
    } finally {
      this.running = undefined
    }
  }

  private async reloadOnce(): Promise<ReloadResult> {
    const log = this.init.logger
    if (this.init.target() === undefined) {
      log.warn('config reload ignored: the daemon has stopped')
      return { outcome: 'not-running', applied: [], needsRestart: [] }
    }
    let next: MeshConfig
    try {
      next = await this.init.load()
    } catch (err) {
      return this.refuse(err)
    }
    // Read again after the load: the daemon may have stopped meanwhile.
    const node = this.init.target()
    if (node === undefined) {
      log.warn('config reload ignored: the daemon has stopped')
      return { outcome: 'not-running', applied: [], needsRestart: [] }
    }
    const plan = planReload(this.baseline, next)
    const applied = Object.keys(plan.live)
    try {
      // Rules across keys (deadAfter ≥ suspectAfter, weight ≤ maxWeight) on the config the
      // node would run with: the restart keys keep their running values.
      if (applied.length > 0) validateMergedConfig({ ...node.config, ...plan.live })
    } catch (err) {
      return this.refuse(err)
    }
    const changes = describeChanges(this.baseline, next, plan.changed)
    if (applied.length > 0) {
      node.applyConfig(plan.live)
      if (plan.live.logLevel !== undefined) log.level = plan.live.logLevel
    }
    this.baseline = { ...this.baseline, ...plan.live }
    this.reloads++
    this.lastAt = Date.now()
    this.pendingRestart = plan.needsRestart
    if (plan.changed.length === 0) {
      log.info('config reloaded: nothing changed')
      return { outcome: 'unchanged', applied: [], needsRestart: [] }
    }
    log.info(
      {
        changed: changes,
        applied,
        needsRestart: plan.needsRestart,
      },
      plan.needsRestart.length > 0
        ? `config reloaded: applied ${list(applied)}; ${list(plan.needsRestart)} changed but ${plan.needsRestart.length === 1 ? 'takes' : 'take'} effect only after a restart`
        : `config reloaded: applied ${list(applied)}`,
    )
    return {
      outcome: 'reloaded',
      applied,
      needsRestart: plan.needsRestart,
    }
  }

  /** One log line; the running config is left as it is. */
  private refuse(err: unknown): ReloadResult {
    const message = err instanceof Error ? err.message : String(err)
    this.init.logger.error(`config reload refused, running config kept: ${message}`)
    return { outcome: 'refused', applied: [], needsRestart: this.pendingRestart, error: message }
  }
}

function valueOf(config: Readonly<MeshConfig>, key: string): unknown {
  return (config as unknown as Record<string, unknown>)[key]
}

function list(keys: readonly string[]): string {
  return keys.length === 0 ? 'nothing' : keys.join(', ')
}
