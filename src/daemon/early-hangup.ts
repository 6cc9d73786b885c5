/**
 * SIGHUP before the daemon's reload handler exists. `bin/patternmesh.js start` holds hangups
 * first thing, before the CLI's modules load (a second or so): without a listener, Node's
 * default action for SIGHUP ends the process, and `systemctl reload` right after `start`
 * would kill it. `patternmesh start` releases them once its own handler is installed and
 * reloads if one came. No imports: bin loads this before anything else.
 */
let held: { count: number; listener: () => void } | undefined

export function holdHangups(): void {
  if (held !== undefined) return
  const state = { count: 0, listener: () => void state.count++ }
  held = state
  process.on('SIGHUP', state.listener)
}

/** Stops holding; returns how many hangups came meanwhile (0 if none were held). */
export function releaseHangups(): number {
  if (held === undefined) return 0
  process.off('SIGHUP', held.listener)
  const count = held.count
  held = undefined
  return count
}
