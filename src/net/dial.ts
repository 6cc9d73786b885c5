/**
 * Every dial of ours carries a deadline. libp2p would otherwise wait its own dial timeout, and
 * a PSK node dialing a node without the PSK gets no answer at all, so the dial only ends when
 * its signal aborts.
 */
import { type AbortOptions, type Connection, type PeerId } from '@libp2p/interface'
import { multiaddr, type Multiaddr } from '@multiformats/multiaddr'
import { DIAL_TIMEOUT_MS } from './constants.js'
import { DialFailedError, DialTimeoutError } from './errors.js'

/** A multiaddr (text or parsed, usually ending in `/p2p/<peer id>`) or a known peer's id. */
export type DialAddress = string | Multiaddr | PeerId

/** What dialing needs of a node: `Libp2p` has it. */
export interface Dialer {
  dial(target: PeerId | Multiaddr | Multiaddr[], options?: AbortOptions): Promise<Connection>
}

/**
 * Dials `target`, aborting after `timeoutMs` (and on `options.signal`). Rejects with
 * `DialTimeoutError` if the deadline passed, `DialFailedError` (libp2p's error as `cause`) if
 * the dial failed before it, or libp2p's error as is if the caller aborted. libp2p gives each
 * address at most its `addressDialTimeout` (6 s by default), whatever `timeoutMs` says.
 */
export async function dialWithTimeout(
  node: Dialer,
  target: DialAddress,
  timeoutMs: number = DIAL_TIMEOUT_MS,
  options: AbortOptions = {},
): Promise<Connection> {
  const label = target.toString()
  let resolved: PeerId | Multiaddr
  try {
    resolved = typeof target === 'string' ? multiaddr(target) : target
  } catch (err) {
    throw new DialFailedError(label, { cause: err })
  }
  const deadline = AbortSignal.timeout(timeoutMs)
  const signal = options.signal == null ? deadline : AbortSignal.any([deadline, options.signal])
  try {
    return await node.dial(resolved, { signal })
  } catch (err) {
    if (options.signal?.aborted === true) throw err
    if (deadline.aborted || (err as { name?: unknown } | null)?.name === 'TimeoutError') {
      throw new DialTimeoutError(label, timeoutMs, { cause: err })
    }
    throw new DialFailedError(label, { cause: err })
  }
}
