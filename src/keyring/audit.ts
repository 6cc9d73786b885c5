/**
 * Audit log of key operations asked through the API: `<dataDir>/key-audit.jsonl` (mode 0600),
 * one JSON line per operation — when, who asked (client address and user agent), the operation,
 * the key id, and the outcome with the members it failed on. Never the key bytes: an install
 * names the id of its key only. Appended with fdatasync; bounded: past KEY_AUDIT_MAX_BYTES the
 * file moves to `key-audit.jsonl.1` (replacing the one before) and a new one starts.
 */
import { join } from 'node:path'
import { JsonLinesAppender } from '../store/jsonl-appender.js'
import { KEY_AUDIT_FILE, KEY_AUDIT_MAX_BYTES } from './constants.js'
import type { KeyOp } from './state.js'

export interface KeyAuditEntry {
  at: number
  op: KeyOp
  /** Who asked: the API client (address, user agent). */
  who: string
  /** The key's id (absent when an install's key could not be read). */
  id?: string
  /** `done` here (each member's result in `failed`), or `refused` with its code. */
  outcome: 'done' | 'refused'
  code?: string
  /** Members that did not take it: `done` is this node's, each member's is its own. */
  failed?: string[]
  ok?: number
  detail?: string
}

export interface KeyAudit {
  write(entry: KeyAuditEntry): Promise<void>
}

export class FileKeyAudit implements KeyAudit {
  private readonly file: JsonLinesAppender

  constructor(dataDir: string, init: { maxBytes?: number } = {}) {
    this.file = new JsonLinesAppender(join(dataDir, KEY_AUDIT_FILE), {
      maxBytes: init.maxBytes ?? KEY_AUDIT_MAX_BYTES,
    })
  }

  get path(): string {
    return this.file.path
  }

  async write(entry: KeyAuditEntry): Promise<void> {
    await this.file.append(entry)
  }
}

export class MemoryKeyAudit implements KeyAudit {
  readonly entries: KeyAuditEntry[] = []

  async write(entry: KeyAuditEntry): Promise<void> {
    this.entries.push(entry)
    await Promise.resolve()
  }
}

/** Who asked for an operation (the API passes it; the library's own calls are not audited). */
export interface KeyOpMeta {
  who: string
}

/**
 * Runs a key operation and, when `meta` says who asked, writes its audit line: `done` with the
 * members it failed on, or `refused` with the error's code and message (which name ids only).
 * A failed write is passed to `onWriteError`; the operation's answer stands.
 */
export async function audited<
  T extends { id: string; results: Array<{ member: string; status: string }> },
>(
  c: { audit: KeyAudit | undefined; onWriteError: (err: unknown) => void; now?: () => number },
  op: KeyOp,
  id: string | undefined,
  meta: KeyOpMeta | undefined,
  run: () => Promise<T>,
): Promise<T> {
  const write = async (entry: Omit<KeyAuditEntry, 'at' | 'op' | 'who'>): Promise<void> => {
    if (meta === undefined || c.audit === undefined) return
    const at = (c.now ?? Date.now)()
    await c.audit.write({ at, op, who: meta.who, ...entry }).catch(c.onWriteError)
  }
  let answer: T
  try {
    answer = await run()
  } catch (err) {
    const e = err as { code?: string; name?: string; message?: string }
    await write({
      ...(id !== undefined ? { id } : {}),
      outcome: 'refused',
      code: e.code ?? e.name ?? 'ERROR',
      detail: e.message ?? String(err),
    })
    throw err
  }
  const failed = answer.results.filter((r) => r.status !== 'ok').map((r) => r.member)
  await write({ id: answer.id, outcome: 'done', ok: answer.results.length - failed.length, failed })
  return answer
}
