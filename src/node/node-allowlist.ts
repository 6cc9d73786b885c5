/**
 * The node's side of the peer allowlist (config `allowPeers`): the gater (net/allowlist-gater.ts)
 * refuses new connections on its own, reading the live config; this closes the connections
 * already open when the list changes (CONFIG advice, SIGHUP reload), and logs refusals at most
 * once per interval, so a peer redialing in a loop cannot flood the log.
 */
import type { Logger } from 'pino'
import type { AllowlistGater, MeshLibp2p, RefusalDirection } from '../net/index.js'
import type { NodeEvents } from './ports.js'

/** At most one refusal log line per this many ms (the rest are counted into the next one). */
export const REFUSAL_LOG_INTERVAL_MS = 10_000

/**
 * Pure rate limit of a log line: the first event logs at once; later ones within `intervalMs`
 * are counted, and the next line that goes out says how many were left out.
 */
export class LogThrottle {
  private last: number | undefined
  private held = 0

  constructor(private readonly intervalMs: number) {}

  /** Whether to log now, and how many events were held back since the last line. */
  note(now: number): { log: boolean; suppressed: number } {
    if (this.last !== undefined && now - this.last < this.intervalMs) {
      this.held++
      return { log: false, suppressed: 0 }
    }
    const suppressed = this.held
    this.last = now
    this.held = 0
    return { log: true, suppressed }
  }
}

/** Until `signal` aborts: closes disallowed connections on a list change; logs refusals. */
export function enforceAllowlist(
  libp2p: MeshLibp2p,
  gater: AllowlistGater,
  events: NodeEvents,
  logger: Logger | undefined,
  signal: AbortSignal,
  now: () => number = Date.now,
): void {
  const throttle = new LogThrottle(REFUSAL_LOG_INTERVAL_MS)
  gater.addEventListener(
    'peer.refused',
    (event) => {
      const { log, suppressed } = throttle.note(now())
      if (!log) return
      const { peerId, direction } = event.detail
      logger?.warn(
        { peer: peerId, direction: direction satisfies RefusalDirection, suppressed },
        'connection refused: peer not in allowPeers',
      )
    },
    { signal },
  )
  events.addEventListener(
    'config.changed',
    (event) => {
      if (!('allowPeers' in event.detail.changes)) return
      void gater.closeDisallowed(libp2p).then(
        (closed) => {
          logger?.info({ listed: gater.stats().listed, closed }, 'allowPeers changed')
        },
        (err: unknown) => logger?.warn({ err }, 'allowPeers changed; closing connections failed'),
      )
    },
    { signal },
  )
}
