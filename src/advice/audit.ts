/**
 * Audit log of advice issued through the API: `<dataDir>/advice-audit.jsonl`, one JSON line per
 * event (who, when, what, outcome), appended with fsync, moved to `.1` past 1 MiB (bounded). `issue` lines are written when the
 * request is answered; `outcome` lines when the advice is final (every target answered or it
 * expired).
 */
import { join } from 'node:path'
import type { Logger } from 'pino'
import { JsonLinesAppender } from '../store/jsonl-appender.js'
import { ADVICE_AUDIT_FILE, ADVICE_AUDIT_MAX_BYTES } from './constants.js'
import type { Advice, AdviceView } from './types.js'

export interface AuditEntry {
  at: number
  event: 'issue' | 'rollback' | 'outcome'
  /** Who asked: the API client (address, user agent) or 'library'. */
  who?: string
  id?: string
  request?: unknown
  outcome: string
  detail?: unknown
}

export interface AdviceAudit {
  write(entry: AuditEntry): Promise<void>
}

export class FileAdviceAudit implements AdviceAudit {
  private readonly file: JsonLinesAppender

  constructor(dataDir: string, init: { maxBytes?: number } = {}) {
    this.file = new JsonLinesAppender(join(dataDir, ADVICE_AUDIT_FILE), {
      maxBytes: init.maxBytes ?? ADVICE_AUDIT_MAX_BYTES,
    })
  }

  get path(): string {
    return this.file.path
  }

  async write(entry: AuditEntry): Promise<void> {
    await this.file.append(entry)
  }
}

export class MemoryAdviceAudit implements AdviceAudit {
  readonly entries: AuditEntry[] = []

  async write(entry: AuditEntry): Promise<void> {
    this.entries.push(entry)
  }
}

/** Who asked, for the audit log. */
export interface IssueMeta {
  who: string
}

/**
 * The audit trail of one node: a line per request (when a `meta` says who asked), then one
 * `outcome` line once the advice is final (every target answered, or it expired).
 */
export class AuditTrail {
  private readonly watched = new Map<string, IssueMeta>()
  private readonly timers = new Set<ReturnType<typeof setTimeout>>()

  constructor(
    private readonly c: {
      audit: AdviceAudit | undefined
      now: () => number
      view: (id: string) => AdviceView | undefined
      logger: Logger | undefined
    },
  ) {}

  async record(
    meta: IssueMeta | undefined,
    event: AuditEntry['event'],
    id: string | undefined,
    request: unknown,
    outcome: string,
    detail?: unknown,
  ): Promise<void> {
    if (meta === undefined || this.c.audit === undefined) return
    await this.c.audit
      .write({
        at: this.c.now(),
        event,
        who: meta.who,
        ...(id !== undefined ? { id } : {}),
        ...(request !== undefined ? { request } : {}),
        outcome,
        ...(detail !== undefined ? { detail } : {}),
      })
      .catch((err: unknown) => this.c.logger?.warn({ err }, 'audit log write failed'))
  }

  /** Writes the outcome line of `advice` once it is final (checked now, on results, at expiry). */
  watch(advice: Advice, meta: IssueMeta): void {
    this.watched.set(advice.id, meta)
    const timer = setTimeout(
      () => {
        this.timers.delete(timer)
        this.check(advice.id)
      },
      Math.max(0, advice.expiry - this.c.now() + 10),
    )
    this.timers.add(timer)
    this.check(advice.id)
  }

  check(id: string): void {
    const meta = this.watched.get(id)
    if (meta === undefined) return
    const view = this.c.view(id)
    if (view === undefined || view.status === 'pending') return
    this.watched.delete(id)
    void this.record(meta, 'outcome', id, undefined, view.status, view.results)
  }

  stop(): void {
    for (const timer of this.timers) clearTimeout(timer)
    this.timers.clear()
  }
}
