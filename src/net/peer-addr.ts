/** Small multiaddr helpers shared by the dialers. */
import { CODE_P2P, multiaddr, type Multiaddr } from '@multiformats/multiaddr'
import { ConfigError } from '../errors.js'

/** The `/p2p/<id>` peer id at the end of `addr`, if any. */
export function peerIdOf(addr: Multiaddr): string | undefined {
  return addr.getComponents().findLast((c) => c.code === CODE_P2P)?.value
}

/** Parses each address, throwing `ConfigError` naming `key` and the bad entry. */
export function parseMultiaddrs(addrs: readonly string[], key: string): Multiaddr[] {
  return addrs.map((text, index) => {
    try {
      return multiaddr(text)
    } catch (err) {
      const reason = err instanceof Error ? `: ${err.message}` : ''
      throw new ConfigError(`${key}[${index}] is not a multiaddr: '${text}'${reason}`, key)
    }
  })
}
