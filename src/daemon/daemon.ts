import { readFile } from 'node:fs/promises'
import type { Logger } from 'pino'
import {
  assertSafeBind,
  createApiServer,
  meshNodeView,
  parseApiAddress,
  resolveApiToken,
  type ApiAddress,
  type ApiServer,
} from '../api/index.js'
import { packageVersion } from '../cli/version.js'
import type { MeshConfig } from '../config/index.js'
import { ConfigError } from '../errors.js'
import { MeshPeer } from '../peer/mesh-peer.js'
import { FileAdviceAudit, FileAdviceStore } from '../advice/index.js'
import { FileRoleStateStore } from '../roles/index.js'
import { FileDeliveredStore } from '../delivery/index.js'
import { FileKeyAudit, openKeyring } from '../keyring/index.js'
import { networkKeyFromSeed, readNetworkKeyFile } from '../pattern/index.js'
import { openDataDir, type DataDir } from '../store/index.js'
import { Lifecycle } from '../util/lifecycle.js'

export interface DaemonInit {
  config: MeshConfig
  logger: Logger
  /** Extra fields for `GET /v1/status` (e.g. the config reloads). */
  extraStatus?: () => Record<string, unknown>
}

/**
 * `patternmesh start`: the data dir, the MeshNode and the control API of one process, started
 * in that order and stopped in reverse.
 */
export class Daemon {
  readonly config: MeshConfig
  private readonly log: Logger
  private readonly extraStatus: (() => Record<string, unknown>) | undefined
  private readonly lifecycle = new Lifecycle()
  private dataDir: DataDir | undefined
  private node_: MeshPeer | undefined
  private api: ApiServer | undefined
  private apiAddress_: ApiAddress | undefined

  constructor(init: DaemonInit) {
    this.config = init.config
    this.log = init.logger
    this.extraStatus = init.extraStatus
  }

  get node(): MeshPeer | undefined {
    return this.node_
  }

  /** Where the control API listens, once started (undefined with `api: off`). */
  get apiAddress(): ApiAddress | undefined {
    return this.apiAddress_
  }

  async start(): Promise<void> {
    await this.lifecycle.start(
      async () => await this.startParts(),
      async () => await this.stopParts(),
    )
  }

  async stop(): Promise<void> {
    await this.lifecycle.stop(async () => await this.stopParts())
  }

  private async startParts(): Promise<void> {
    const config = this.config
    const networkKey =
      config.keyFile !== undefined ? await readNetworkKeyFile(config.keyFile) : undefined
    if (networkKey === undefined) {
      this.log.warn(
        'using a seed for the network key: fine for simulations and development, not for production (use keyFile)',
      )
    }
    const psk = config.pskFile !== undefined ? await readPskFile(config.pskFile) : undefined
    // Checked before anything starts: a public API address needs an explicit token.
    const apiAt = parseApiAddress(config.api)
    if (apiAt !== null) assertSafeBind(apiAt.host, config.apiToken !== undefined)

    this.dataDir = await openDataDir(config.dataDir)
    if (this.dataDir.identity.looseMode !== undefined) {
      this.log.warn(
        { mode: this.dataDir.identity.looseMode.toString(8) },
        'identity key is readable by others: chmod 600 it',
      )
    }

    // keyring.json is the truth once it exists; the key file (or seed) only seeds it (DESIGN §16).
    const keyring = await openKeyring(
      this.dataDir.path,
      networkKey ?? networkKeyFromSeed(config.seed ?? ''),
      {
        algorithm: config.algorithm,
        phaseResetInterval: config.phaseResetInterval,
        cacheSize: config.cacheSize,
      },
    )
    if (!keyring.seedKeyKnown)
      this.log.warn(
        { keyring: keyring.store.path, primary: keyring.keys.primaryId },
        "the key file's key is not in the keyring (rotated away): the keyring is used",
      )
    const node = new MeshPeer({
      config,
      keys: keyring.keys,
      privateKey: this.dataDir.identity.privateKey,
      transport: 'tcp',
      libp2p: { datastore: this.dataDir.datastore },
      services: {
        roleStore: new FileRoleStateStore(this.dataDir.path),
        adviceStore: new FileAdviceStore(this.dataDir.path),
        adviceAudit: new FileAdviceAudit(this.dataDir.path),
        keyringStore: keyring.store,
        // What it delivered survives a restart: it is not delivered again (DESIGN §15).
        repair: { store: new FileDeliveredStore(this.dataDir.path) },
        keyAudit: new FileKeyAudit(this.dataDir.path),
        version: packageVersion(),
      },
      logger: this.log,
      ...(networkKey !== undefined ? { networkKey } : {}),
      ...(psk !== undefined ? { psk } : {}),
    })
    node.onMessage((message) => {
      this.log.debug(
        {
          from: message.envelope.senderId,
          seq: message.envelope.seq,
          step: message.envelope.globalStep,
          id: message.id,
          bytes: message.envelope.data.length,
        },
        'message received',
      )
    })
    node.onError((err) => this.log.warn({ err }, 'mesh node error'))
    node.addEventListener('peer.connected', (event) =>
      this.log.info({ peer: event.detail.peerId }, 'peer connected'),
    )
    node.addEventListener('peer.disconnected', (event) =>
      this.log.info({ peer: event.detail.peerId }, 'peer disconnected'),
    )
    try {
      await node.start()
    } catch (err) {
      throw listenError(err, config.listen) ?? err
    }
    this.node_ = node
    if (apiAt !== null) await this.startApi(node, apiAt)
    this.log.info(
      {
        peerId: node.peerId,
        meshId: config.meshId,
        listen: node.getMultiaddrs(),
        dataDir: this.dataDir.path,
        identityCreated: this.dataDir.identity.created,
      },
      'patternmesh started',
    )
  }

  private async startApi(node: MeshPeer, at: ApiAddress): Promise<void> {
    const token = await resolveApiToken({
      configured: this.config.apiToken,
      dataDir: this.config.dataDir,
    })
    const readToken = await resolveApiToken({
      configured: this.config.apiReadToken,
      dataDir: this.config.dataDir,
      kind: 'read',
    })
    this.api = createApiServer({
      node: meshNodeView(node),
      token: token.token,
      readToken: readToken.token,
      host: at.host,
      port: at.port,
      version: packageVersion(),
      logger: this.log,
      ...(this.extraStatus !== undefined ? { extraStatus: this.extraStatus } : {}),
    })
    try {
      this.apiAddress_ = await this.api.start()
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EADDRINUSE') {
        throw new ConfigError(
          `api address ${this.config.api} is already in use (pick another with --api HOST:PORT)`,
          'api',
        )
      }
      throw err
    }
    const url = `http://${formatHost(this.apiAddress_.host)}:${this.apiAddress_.port}`
    this.log.info(
      {
        url,
        dashboard: `${url}/`,
        // Where the tokens are, never what they are.
        token: token.source === 'configured' ? 'configured' : token.path,
        readToken: readToken.source === 'configured' ? 'configured' : readToken.path,
      },
      'control API: dashboard at url, admin bearer token at token, read-only one at readToken',
    )
  }

  private async stopParts(): Promise<void> {
    const api = this.api
    this.api = undefined
    this.apiAddress_ = undefined
    await api?.stop().catch((err: unknown) => this.log.error({ err }, 'error stopping the API'))
    const node = this.node_
    this.node_ = undefined
    await node
      ?.stop()
      .catch((err: unknown) => this.log.error({ err }, 'error stopping the mesh node'))
    await this.dataDir
      ?.close()
      .catch((err: unknown) => this.log.error({ err }, 'error closing the data dir'))
    this.dataDir = undefined
  }
}

async function readPskFile(path: string): Promise<Uint8Array> {
  try {
    return await readFile(path)
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code
    throw new ConfigError(
      `psk file ${path}: ${code === 'ENOENT' ? 'no such file' : String(code ?? err)}`,
      'pskFile',
    )
  }
}

/** EADDRINUSE from a transport, as a config error that names the address. */
function listenError(err: unknown, listen: string[]): ConfigError | undefined {
  const text = `${String((err as Error).message)} ${String((err as { cause?: unknown }).cause ?? '')}`
  if (!/EADDRINUSE|address already in use/i.test(text)) return undefined
  const port = /:(\d+)/.exec(text)?.[1]
  const addr = listen.find((a) => port !== undefined && a.includes(`/${port}`)) ?? listen.join(', ')
  return new ConfigError(
    `listen address ${addr} is already in use (another daemon? pick another port with --listen)`,
    'listen',
  )
}

function formatHost(host: string): string {
  return host.includes(':') ? `[${host}]` : host
}
