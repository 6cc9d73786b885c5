import pino, { type Logger } from 'pino'
import pretty from 'pino-pretty'
import type { LogLevel } from '../config/index.js'

/**
 * JSON lines for machines; colourised human lines when stdout is a terminal. pino-pretty runs
 * in-process (not a worker transport) so that a crash loses no buffered line.
 */
export function createLogger(
  level: LogLevel,
  options: { pretty?: boolean; name?: string } = {},
): Logger {
  const usePretty = options.pretty ?? process.stdout.isTTY === true
  const base = { name: options.name ?? 'patternmesh' }
  if (!usePretty) return pino({ level, base: { ...base, pid: process.pid } })
  return pino(
    { level, base },
    pretty({
      colorize: true,
      translateTime: 'SYS:HH:MM:ss.l',
      ignore: 'pid,hostname,name',
      sync: true,
    }),
  )
}
