/**
 * `<dataDir>/keyring.json` (mode 0600, crash-safe writes): the keyring state of state.ts. On
 * first start it is seeded with the `--key-file` key (or the seed's key); afterwards the file
 * is the truth and the key file only a way in.
 */
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { HeartbeatKeyring } from '../membership/index.js'
import { PatternKeySet, type KeySetInit } from '../pattern/index.js'
import { writeFileAtomic } from '../store/atomic-file.js'
import { KEYRING_FILE } from './constants.js'
import { initialState, installedIds, parseState, type KeyringState } from './state.js'

export interface KeyringStore {
  load(): Promise<KeyringState | undefined>
  save(state: KeyringState): Promise<void>
}

export class MemoryKeyringStore implements KeyringStore {
  private state: KeyringState | undefined
  async load(): Promise<KeyringState | undefined> {
    return await Promise.resolve(this.state)
  }
  async save(state: KeyringState): Promise<void> {
    this.state = state
    await Promise.resolve()
  }
}

export class FileKeyringStore implements KeyringStore {
  readonly path: string
  constructor(dataDir: string) {
    this.path = join(dataDir, KEYRING_FILE)
  }

  async load(): Promise<KeyringState | undefined> {
    let text: string
    try {
      text = await readFile(this.path, 'utf8')
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined
      throw err
    }
    try {
      return parseState(JSON.parse(text))
    } catch (err) {
      // Never the text itself in the message: it holds key bytes.
      throw new Error(`${this.path}: ${(err as Error).message.replace(/^keyring: /, '')}`, {
        cause: undefined,
      })
    }
  }

  async save(state: KeyringState): Promise<void> {
    await writeFileAtomic(this.path, `${JSON.stringify(state, null, 2)}\n`, 0o600)
  }
}

/** The node's keys as the keyring says: the primary first, then the other installed keys. */
export function keysOf(state: KeyringState, init: KeySetInit): PatternKeySet {
  const bytes = (id: string): Buffer =>
    Buffer.from(state.keys.find((k) => k.id === id)!.key!, 'hex')
  const keys = new PatternKeySet({ key: bytes(state.primary.id) }, init)
  for (const id of installedIds(state)) keys.install(bytes(id))
  return keys
}

/** Makes `keys` hold exactly the keyring's keys, with its primary (installs first, removes last). */
export function applyState(keys: PatternKeySet, state: KeyringState): void {
  for (const record of state.keys)
    if (!record.removed && !keys.has(record.id)) keys.install(Buffer.from(record.key!, 'hex'))
  keys.use(state.primary.id)
  const live = new Set(installedIds(state))
  for (const { id } of keys.list()) if (!live.has(id)) keys.remove(id)
}

/**
 * The daemon's keyring: loaded from the data dir, or seeded with `seedKey` and written there.
 * `seedKeyKnown` says whether the key file's key is in it (a warning otherwise: the file wins).
 */
export async function openKeyring(
  dataDir: string,
  seedKey: Uint8Array,
  init: KeySetInit,
): Promise<{
  store: FileKeyringStore
  keys: PatternKeySet
  created: boolean
  seedKeyKnown: boolean
}> {
  const store = new FileKeyringStore(dataDir)
  let state = await store.load()
  const created = state === undefined
  if (state === undefined) {
    state = initialState(seedKey)
    await store.save(state)
  }
  const keys = keysOf(state, init)
  const seedKeyKnown = keys.has(initialState(seedKey).primary.id)
  return { store, keys, created, seedKeyKnown }
}

/** What this node's heartbeats say it holds: its live key ids, never the bytes. */
export function heldKeyIds(keys: Pick<PatternKeySet, 'primaryId' | 'list'>): HeartbeatKeyring {
  return { primary: keys.primaryId, ids: keys.list().map((k) => k.id) }
}

/** The keyring of keys given at construction (no file): every key at version 0. */
export function stateOfKeys(keys: PatternKeySet): KeyringState {
  return {
    v: 1,
    clock: 0,
    primary: { id: keys.primaryId, version: 0 },
    keys: keys.list().map(({ id }) => ({
      id,
      key: keys.keyBytes(id)!.toString('hex'),
      removed: false,
      version: 0,
    })),
  }
}
