/**
 * The logging surface src/net needs: pino's `(fields, message)` call shape, so a pino logger
 * (or `logger.child({ component: 'net' })`) can be passed as is. Without one, messages go to
 * libp2p's debug logger (`DEBUG='patternmesh:net:*'`).
 */
import type { ComponentLogger } from '@libp2p/interface'

export interface NetLogger {
  debug(fields: Record<string, unknown>, message: string): void
  warn(fields: Record<string, unknown>, message: string): void
}

/**
 * `logger` with `component` added to every line if given, else an adapter over libp2p's
 * component logger.
 */
export function netLogger(
  component: string,
  logger: NetLogger | undefined,
  componentLogger: ComponentLogger,
): NetLogger {
  if (logger != null) {
    return {
      debug: (fields, message) => logger.debug({ component, ...fields }, message),
      warn: (fields, message) => logger.warn({ component, ...fields }, message),
    }
  }
  const log = componentLogger.forComponent(`patternmesh:net:${component}`)
  return {
    debug: (fields, message) => log('%s %o', message, fields),
    warn: (fields, message) => log.error('%s %o', message, fields),
  }
}

/** Error text for log fields. */
export function errorText(err: unknown): string {
  return err instanceof Error ? `${err.name}: ${err.message}` : String(err)
}
