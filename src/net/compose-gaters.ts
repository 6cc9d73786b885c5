/**
 * One libp2p ConnectionGater out of several (the allowlist of the config, the partitions of a
 * simulation): a connection is refused when any of them refuses it, and a peer's address is
 * kept only when all of them keep it.
 */
import type { ConnectionGater } from '@libp2p/interface'

type Hook = keyof ConnectionGater

const DENY_HOOKS = [
  'denyDialPeer',
  'denyDialMultiaddr',
  'denyInboundConnection',
  'denyOutboundConnection',
  'denyInboundEncryptedConnection',
  'denyOutboundEncryptedConnection',
  'denyInboundUpgradedConnection',
  'denyOutboundUpgradedConnection',
  'denyInboundRelayReservation',
  'denyOutboundRelayedConnection',
  'denyInboundRelayedConnection',
] as const satisfies readonly Hook[]

/** The gaters as one; undefined entries are skipped, and one gater is returned as it is. */
export function composeGaters(
  ...gaters: ReadonlyArray<ConnectionGater | undefined>
): ConnectionGater | undefined {
  const present = gaters.filter((gater): gater is ConnectionGater => gater !== undefined)
  if (present.length <= 1) return present[0]
  const composed: Record<string, (...args: never[]) => Promise<boolean>> = {}
  for (const hook of DENY_HOOKS) {
    const withHook = present.filter((gater) => gater[hook] !== undefined)
    if (withHook.length === 0) continue
    composed[hook] = async (...args: never[]) => {
      for (const gater of withHook) {
        // In order: the first refusal wins, so a later gater does not count a refused peer.
        const call = gater[hook] as (...a: never[]) => boolean | Promise<boolean>
        if (await call(...args)) return true
      }
      return false
    }
  }
  const filters = present.filter((gater) => gater.filterMultiaddrForPeer !== undefined)
  if (filters.length > 0) {
    composed['filterMultiaddrForPeer'] = async (...args: never[]) => {
      for (const gater of filters) {
        const call = gater.filterMultiaddrForPeer as (...a: never[]) => boolean | Promise<boolean>
        if (!(await call(...args))) return false
      }
      return true
    }
  }
  return composed as ConnectionGater
}
