/**
 * The keyring as members exchange and persist it, pure. Each key id has one record, installed
 * (with its bytes) or removed (a tombstone, id only), stamped with a Lamport version; the
 * primary is a record too. Merging two keyrings keeps, per id and for the primary, the higher
 * version (a tie: removed wins, then the larger id), so any two members that exchange end up
 * with the same keyring whatever the order operations reached them: that is the anti-entropy.
 */
import { parseNetworkKey, keyId, MAX_KEYS } from '../pattern/index.js'
import { MAX_TOMBSTONES } from './constants.js'

export interface KeyRecord {
  id: string
  /** Hex of the key bytes; absent once removed. */
  key?: string
  removed: boolean
  version: number
}

export interface KeyringState {
  v: 1
  /** Lamport clock: above every version this keyring has seen. */
  clock: number
  primary: { id: string; version: number }
  keys: KeyRecord[]
}

export type KeyOp = 'install' | 'use' | 'remove'

/** A keyring with one key, the primary, at version 0 (a first start). */
export function initialState(key: Uint8Array): KeyringState {
  const id = keyId(key)
  return {
    v: 1,
    clock: 0,
    primary: { id, version: 0 },
    keys: [{ id, key: Buffer.from(key).toString('hex'), removed: false, version: 0 }],
  }
}

export function installedIds(state: KeyringState): string[] {
  return state.keys.filter((k) => !k.removed).map((k) => k.id)
}

export class KeyringOpError extends Error {
  readonly code: string
  /** When retrying later will do (KEY_RECENTLY_PRIMARY): in this many ms. */
  readonly retryAfterMs: number | undefined
  constructor(code: string, message: string, retryAfterMs?: number) {
    super(message)
    this.name = 'KeyringOpError'
    this.code = code
    this.retryAfterMs = retryAfterMs
  }
}

/** Adds a key (idempotent). Returns the new state and the key's id. */
export function install(state: KeyringState, hex: string): { state: KeyringState; id: string } {
  const bytes = parseNetworkKey(hex, 'key')
  const id = keyId(bytes)
  if (installedIds(state).includes(id)) return { state, id }
  if (installedIds(state).length >= MAX_KEYS) {
    throw new KeyringOpError(
      'KEYRING_FULL',
      `a keyring holds at most ${MAX_KEYS} keys: remove one first`,
    )
  }
  const clock = state.clock + 1
  const record: KeyRecord = { id, key: bytes.toString('hex'), removed: false, version: clock }
  return { state: withRecord({ ...state, clock }, record), id }
}

export function use(state: KeyringState, id: string): KeyringState {
  assertInstalled(state, id)
  if (state.primary.id === id) return state
  const clock = state.clock + 1
  return { ...state, clock, primary: { id, version: clock } }
}

export function remove(state: KeyringState, id: string): KeyringState {
  assertInstalled(state, id)
  if (state.primary.id === id) {
    throw new KeyringOpError(
      'KEY_IS_PRIMARY',
      `key ${id} is the primary: use another key first, then remove it`,
    )
  }
  const clock = state.clock + 1
  return withRecord({ ...state, clock }, { id, removed: true, version: clock })
}

function assertInstalled(state: KeyringState, id: string): void {
  if (!installedIds(state).includes(id))
    throw new KeyringOpError('NO_SUCH_KEY', `no installed key has id ${id}`)
}

function withRecord(state: KeyringState, record: KeyRecord): KeyringState {
  const keys = state.keys.filter((k) => k.id !== record.id)
  keys.push(record)
  return { ...state, keys: pruneTombstones(keys) }
}

function pruneTombstones(keys: KeyRecord[]): KeyRecord[] {
  const removed = keys.filter((k) => k.removed).sort((a, b) => b.version - a.version)
  const dropped = new Set(removed.slice(MAX_TOMBSTONES))
  return keys.filter((k) => !dropped.has(k))
}

/** Record `b` wins over `a`: higher version; a tie goes to the removal, then the larger id. */
function wins(b: KeyRecord, a: KeyRecord): boolean {
  if (b.version !== a.version) return b.version > a.version
  if (b.removed !== a.removed) return b.removed
  return false
}

/** The union of two keyrings (see the file comment); `ours` is kept where nothing newer came. */
export function merge(ours: KeyringState, theirs: KeyringState): KeyringState {
  const byId = new Map(ours.keys.map((k) => [k.id, k]))
  for (const record of theirs.keys) {
    const mine = byId.get(record.id)
    if (mine === undefined || wins(record, mine)) byId.set(record.id, record)
  }
  let keys = [...byId.values()]
  // Never more than MAX_KEYS installed: the newest installs from elsewhere wait their turn.
  const installed = keys.filter((k) => !k.removed).sort((a, b) => a.version - b.version)
  if (installed.length > MAX_KEYS) {
    const keep = new Set(installed.slice(0, MAX_KEYS))
    keys = keys.filter((k) => k.removed || keep.has(k))
  }
  const live = new Set(keys.filter((k) => !k.removed).map((k) => k.id))
  const p = ours.primary
  const q = theirs.primary
  const theirsWins = q.version > p.version || (q.version === p.version && q.id > p.id)
  let primary = theirsWins ? q : p
  if (!live.has(primary.id)) primary = primary === q ? p : q
  if (!live.has(primary.id)) {
    // Both primaries removed by the other side (a `remove` raced a `use`): the primary is
    // never removed, so its installed copy comes back (each side's primary is installed there).
    const copy = [...ours.keys, ...theirs.keys].find((k) => k.id === primary.id && !k.removed)
    if (copy !== undefined) keys = [...keys.filter((k) => k.id !== primary.id), copy]
  }
  return {
    v: 1,
    clock: Math.max(ours.clock, theirs.clock),
    primary,
    keys: pruneTombstones(keys),
  }
}

/** A keyring from the wire or the file, checked field by field; an error names the field. */
export function parseState(value: unknown): KeyringState {
  const fail = (what: string): never => {
    throw new KeyringOpError('BAD_KEYRING', `keyring: ${what}`)
  }
  const v = value as Partial<KeyringState> | null
  if (typeof v !== 'object' || v === null || v.v !== 1) fail('not a version 1 keyring')
  const s = v as KeyringState
  if (!Number.isSafeInteger(s.clock) || s.clock < 0) fail('clock must be a non-negative integer')
  if (!isId(s.primary?.id) || !isVersion(s.primary.version)) fail('primary needs an id and version')
  if (!Array.isArray(s.keys) || s.keys.length > MAX_KEYS + MAX_TOMBSTONES)
    fail('keys must be a short list')
  const keys: KeyRecord[] = []
  const seen = new Set<string>()
  for (const [i, k] of s.keys.entries()) {
    if (!isId(k?.id) || !isVersion(k.version) || typeof k.removed !== 'boolean')
      fail(`keys[${i}] needs an id, a version and removed`)
    if (seen.has(k.id)) fail(`keys[${i}]: id ${k.id} twice`)
    seen.add(k.id)
    if (k.removed) {
      keys.push({ id: k.id, removed: true, version: k.version })
      continue
    }
    if (typeof k.key !== 'string') fail(`keys[${i}]: an installed key needs its bytes`)
    let bytes: Buffer
    try {
      bytes = parseNetworkKey(k.key!, `keys[${i}]`)
    } catch {
      return fail(`keys[${i}]: not a key of 16 bytes or more in hex`)
    }
    if (keyId(bytes) !== k.id) fail(`keys[${i}]: id ${k.id} is not the id of its key`)
    keys.push({ id: k.id, key: bytes.toString('hex'), removed: false, version: k.version })
  }
  if (!keys.some((k) => k.id === s.primary.id && !k.removed)) fail('the primary is not installed')
  return { v: 1, clock: s.clock, primary: { id: s.primary.id, version: s.primary.version }, keys }
}

function isId(id: unknown): id is string {
  return typeof id === 'string' && /^[0-9a-f]{8}$/.test(id)
}

function isVersion(n: unknown): n is number {
  return Number.isSafeInteger(n) && (n as number) >= 0
}
