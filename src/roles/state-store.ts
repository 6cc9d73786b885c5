/**
 * Role state on disk: `<dataDir>/roles.json`, written atomically (a `kill -9` leaves the old or
 * the new file). A file that exists but does not parse or validate is reported with
 * `RoleStateCorruptError` and left as it is: it is never overwritten silently.
 */
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { Ajv } from 'ajv'
import { ensureDir, writeFileAtomic } from '../store/atomic-file.js'
import { PEER_ID_SCHEMA } from '../membership/index.js'
import { ROLE_STATE_FILE, ROLE_STATE_MAX_BYTES } from './constants.js'
import { RoleStateCorruptError, RoleStateIoError } from './errors.js'

export type OwnRole = 'principal' | 'member' | 'observer'

export interface PersistedRoleState {
  /** File format version. */
  version: 1
  term: number
  principal: string | null
  principalWeight: number
  roles: OwnRole[]
  /** Wall clock of the write (ms since the epoch), informational. */
  savedAt: number
}

export interface RoleStateStore {
  /** The saved state, or undefined if there is none. Throws `RoleStateCorruptError`. */
  load(): Promise<PersistedRoleState | undefined>
  save(state: PersistedRoleState): Promise<void>
}

const STATE_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  required: ['version', 'term', 'principal', 'principalWeight', 'roles', 'savedAt'],
  properties: {
    version: { const: 1 },
    term: { type: 'integer', minimum: 0, maximum: Number.MAX_SAFE_INTEGER },
    principal: { anyOf: [PEER_ID_SCHEMA, { type: 'null' }] },
    principalWeight: { type: 'number', minimum: 0 },
    roles: {
      type: 'array',
      maxItems: 3,
      items: { enum: ['principal', 'member', 'observer'] },
    },
    savedAt: { type: 'number' },
  },
} as const

const ajv = new Ajv({ allErrors: false, strict: true })
const validate = ajv.compile<PersistedRoleState>(STATE_SCHEMA)

/** Checks a parsed state; returns it or a reason. */
export function parseRoleState(
  value: unknown,
): { ok: true; state: PersistedRoleState } | { ok: false; detail: string } {
  if (validate(value)) return { ok: true, state: value }
  const error = validate.errors?.[0]
  return {
    ok: false,
    detail: `${error?.instancePath || 'state'} ${error?.message ?? 'is invalid'}`,
  }
}

export class FileRoleStateStore implements RoleStateStore {
  readonly path: string

  /** `dataDir`: the node's data directory; the file is `roles.json` inside it. */
  constructor(dataDir: string) {
    this.path = join(dataDir, ROLE_STATE_FILE)
  }

  async load(): Promise<PersistedRoleState | undefined> {
    let bytes: Buffer
    try {
      bytes = await readFile(this.path)
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined
      throw new RoleStateIoError(`cannot read ${this.path}: ${(err as Error).message}`, {
        cause: err,
      })
    }
    if (bytes.length > ROLE_STATE_MAX_BYTES)
      throw new RoleStateCorruptError(this.path, `${bytes.length} bytes`)
    let value: unknown
    try {
      value = JSON.parse(bytes.toString('utf8'))
    } catch (err) {
      throw new RoleStateCorruptError(this.path, `not JSON: ${(err as Error).message}`)
    }
    const parsed = parseRoleState(value)
    if (!parsed.ok) throw new RoleStateCorruptError(this.path, parsed.detail)
    return parsed.state
  }

  async save(state: PersistedRoleState): Promise<void> {
    try {
      await ensureDir(join(this.path, '..'))
      await writeFileAtomic(this.path, `${JSON.stringify(state, null, 2)}\n`)
    } catch (err) {
      throw new RoleStateIoError(`cannot write ${this.path}: ${(err as Error).message}`, {
        cause: err,
      })
    }
  }
}

/** In memory, for tests and simulations; `saves` counts the writes. */
export class MemoryRoleStateStore implements RoleStateStore {
  private state: PersistedRoleState | undefined
  saves = 0

  constructor(initial?: PersistedRoleState) {
    this.state = initial === undefined ? undefined : { ...initial, roles: [...initial.roles] }
  }

  get current(): PersistedRoleState | undefined {
    return this.state === undefined ? undefined : { ...this.state, roles: [...this.state.roles] }
  }

  async load(): Promise<PersistedRoleState | undefined> {
    return this.current
  }

  async save(state: PersistedRoleState): Promise<void> {
    this.saves++
    this.state = { ...state, roles: [...state.roles] }
  }
}
