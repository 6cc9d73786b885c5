import pino, { type Logger } from 'pino'
import pretty from 'pino-pretty'
import type { LogLevel } from '../config/index.js'

/**
 * JSON lines for machines; colourised human lines when stdout is a terminal. pino-pretty runs
 * in-process (not a worker transport) so that a crash loses no buffered line.
 *
 * Setting the level of the returned logger (config reload, CONFIG advice `logLevel`) sets it
 * on every child logger too: pino children copy the level when they are made and would
 * otherwise keep the old one.
 */
export function createLogger(
  level: LogLevel,
  options: { pretty?: boolean; name?: string } = {},
): Logger {
  const usePretty = options.pretty ?? process.stdout.isTTY === true
  const base = { name: options.name ?? 'patternmesh' }
  // Weak: a component's child logger goes away with the component.
  const children = new Set<WeakRef<Logger>>()
  const prune = (): void => {
    for (const ref of children) if (ref.deref() === undefined) children.delete(ref)
  }
  const onChild = (child: Logger): void => {
    // Components make their children once each; pruning keeps a churn of them bounded.
    if (children.size >= 256) prune()
    children.add(new WeakRef(child))
  }
  const root = usePretty
    ? pino(
        { level, base, onChild },
        pretty({
          colorize: true,
          translateTime: 'SYS:HH:MM:ss.l',
          ignore: 'pid,hostname,name',
          sync: true,
        }),
      )
    : pino({ level, base: { ...base, pid: process.pid }, onChild })
  // Children share the root's listeners; only the root's own change is passed down.
  root.on('level-change', (name, _value, _prev, _prevValue, logger) => {
    if (logger !== root) return
    prune()
    for (const ref of children) {
      const child = ref.deref()
      if (child !== undefined) child.level = name
    }
  })
  return root
}
