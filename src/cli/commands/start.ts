/** `patternmesh start`: the daemon (DESIGN §9, §10). */
import { Option, type Command } from 'commander'
import {
  loadConfig,
  type ConfigSources,
  type LogLevel,
  type MeshConfig,
} from '../../config/index.js'
import {
  ConfigReloader,
  Daemon,
  createLogger,
  handleReloadSignal,
  handleShutdownSignals,
  releaseHangups,
} from '../../daemon/index.js'
import type { CliContext } from '../context.js'
import { EXIT_USAGE } from '../io.js'

export interface StartOptions {
  config?: string
  meshId?: string
  listen?: string[]
  bootstrap?: string[]
  keyFile?: string
  seed?: string
  pskFile?: string
  dataDir?: string
  weight?: string
  observer?: boolean
  api?: string
  apiToken?: string
  apiReadToken?: string
  mdns?: boolean
  logLevel?: string
}

const collect = (value: string, previous: string[] | undefined): string[] => [
  ...(previous ?? []),
  ...value
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== ''),
]

/** Flags as a config layer; commander's defaults are left out so the file and env can speak. */
export function flagsToConfig(opts: StartOptions): Partial<Record<keyof MeshConfig, unknown>> {
  const weight = opts.weight === undefined ? undefined : Number(opts.weight)
  return {
    meshId: opts.meshId,
    listen: opts.listen,
    bootstrap: opts.bootstrap,
    keyFile: opts.keyFile,
    seed: opts.seed,
    pskFile: opts.pskFile,
    dataDir: opts.dataDir,
    weight:
      weight !== undefined && Number.isFinite(weight) && opts.weight!.trim() !== ''
        ? weight
        : opts.weight,
    observer: opts.observer === true ? true : undefined,
    api: opts.api,
    apiToken: opts.apiToken,
    apiReadToken: opts.apiReadToken,
    mdns: opts.mdns === false ? false : undefined,
    logLevel: opts.logLevel,
  }
}

export function registerStart(program: Command, ctx: CliContext): void {
  program
    .command('start')
    .description('run a mesh node daemon until SIGINT/SIGTERM (SIGHUP reloads the config)')
    .option(
      '-c, --config <file>',
      'JSON config file (see configs/node.example.json); env PATTERNMESH_CONFIG',
    )
    .option('--mesh-id <id>', 'mesh name; part of the gossipsub topics')
    .option(
      '--listen <multiaddr>',
      'listen address, repeatable or comma-separated (default /ip4/0.0.0.0/tcp/4001 and /ip4/0.0.0.0/tcp/4002/ws)',
      collect,
    )
    .option(
      '--bootstrap <multiaddr>',
      'peer to dial at start (with /p2p/<peer id>), repeatable or comma-separated',
      collect,
    )
    .option('--key-file <file>', 'network key file (patternmesh keygen)')
    .option(
      '--seed <seed>',
      'derive the network key from a seed (simulations and development only)',
    )
    .option('--psk-file <file>', 'libp2p private network key file: only peers with it can connect')
    .option('--data-dir <dir>', 'identity, peer store and state (default ~/.patternmesh)')
    .option('--weight <n>', 'election weight (0 … maxWeight)')
    .option('--observer', 'join passively: never publish data, never principal')
    .option('--api <host:port>', "control API address, or 'off' (default 127.0.0.1:7070)")
    .option(
      '--api-token <token>',
      'admin bearer token of the API (writes, everything); env PATTERNMESH_API_TOKEN',
    )
    .option(
      '--api-read-token <token>',
      'read-only bearer token of the API (GETs, the event stream); env PATTERNMESH_API_READ_TOKEN',
    )
    .option('--no-mdns', 'do not discover peers by multicast DNS on the LAN')
    .addOption(
      new Option('--log-level <level>', 'log level').choices([
        'fatal',
        'error',
        'warn',
        'info',
        'debug',
        'trace',
        'silent',
      ]),
    )
    .addHelpText(
      'after',
      `
Precedence: defaults < config file < PATTERNMESH_* environment < flags. Every config key has
an environment variable: stepIntervalMs is PATTERNMESH_STEP_INTERVAL_MS. A layer that sets
keyFile or seed replaces the other from the layers below (--key-file beats a file's seed).

SIGHUP (systemctl reload) reads the file and environment again, flags still winning: the keys
CONFIG advice may change apply at once, the others are logged as needing a restart, and a bad
file is refused with one log line (the running config stays).

Examples:
  $ patternmesh keygen --out mesh.key
  $ patternmesh start --key-file mesh.key --data-dir ./node1
  $ patternmesh start --key-file mesh.key --data-dir ./node2 --listen /ip4/127.0.0.1/tcp/4101 \\
      --api 127.0.0.1:7071 --bootstrap /ip4/127.0.0.1/tcp/4001/p2p/<peer id of node1>`,
    )
    .action(async (opts: StartOptions) => {
      // What the daemon writes is its user's alone (as the unit's UMask=0077 makes it): the
      // data dir's own files get their modes explicitly, but LevelDB creates the peer store's
      // files with the process's umask (0644 under the usual 022).
      process.umask(0o077)
      const env = process.env
      // The same sources at start and at every reload: flags keep winning over the file.
      const sources: ConfigSources = {
        file: opts.config ?? env['PATTERNMESH_CONFIG'],
        env,
        flags: flagsToConfig(opts),
      }
      const config = await loadConfig(sources)
      await runDaemon(config, sources, ctx)
    })
}

async function runDaemon(
  config: MeshConfig,
  sources: ConfigSources,
  ctx: CliContext,
): Promise<void> {
  const log = createLogger(config.logLevel as LogLevel)
  let daemon: Daemon | undefined = undefined
  const reloader = new ConfigReloader({
    load: async () => await loadConfig(sources),
    target: () => daemon?.node,
    logger: log,
    initial: config,
  })
  daemon = new Daemon({
    config,
    logger: log,
    extraStatus: () => ({ configReload: reloader.status() }),
  })
  // Before start: a HUP while starting must not kill the process (Node's default); the
  // reloader holds it until the daemon has started.
  const removeReload = handleReloadSignal(async () => await reloader.reload(), log)
  // Hangups bin/patternmesh.js held while the modules loaded: one reload for them all.
  if (releaseHangups() > 0) void reloader.reload()
  try {
    await daemon.start()
  } catch (err) {
    removeReload()
    throw err
  }
  await reloader.started()
  const running = daemon
  await new Promise<void>((resolve) => {
    const remove = handleShutdownSignals(
      async () => {
        await running.stop()
        log.info('stopped')
      },
      log,
      (code) => {
        if (code === 130) process.exit(130)
        remove()
        removeReload()
        ctx.exitCode = code === 0 ? 0 : code === EXIT_USAGE ? EXIT_USAGE : 1
        resolve()
      },
    )
  })
}
