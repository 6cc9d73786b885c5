/**
 * libp2p's own debug logging, off unless `DEBUG` names it. libp2p's default logger builds a
 * `debug` instance (and checks whether stderr is a terminal) for every connection, stream and
 * protocol negotiation, even when nothing is enabled: in a 100-node simulation that was 4 % of
 * the CPU while the mesh formed. With `DEBUG` set (e.g. `DEBUG=libp2p:*`) libp2p's default
 * logger is used, as libp2p documents.
 */
import type { ComponentLogger, Logger } from '@libp2p/interface'

function silentLogger(): Logger {
  const log = (() => undefined) as unknown as Logger
  log.error = () => undefined
  log.trace = () => undefined
  log.enabled = false
  log.newScope = () => log
  return log
}

const SILENT = silentLogger()

/** The ComponentLogger for libp2p: undefined (libp2p's default) when `DEBUG` is set. */
export function libp2pLogger(env: NodeJS.ProcessEnv = process.env): ComponentLogger | undefined {
  if (env['DEBUG'] !== undefined && env['DEBUG'] !== '') return undefined
  return { forComponent: () => SILENT }
}
