import type { Logger } from 'pino'

/** Where signal handlers go: the process, or an emitter in tests. */
export type SignalSource = Pick<NodeJS.Process, 'on' | 'off'>

/**
 * SIGINT/SIGTERM stop the daemon once, gracefully; a second signal forces exit at once.
 * Returns a function that removes the handlers.
 */
export function handleShutdownSignals(
  stop: () => Promise<void>,
  log: Logger,
  exit: (code: number) => void = process.exit,
  source: SignalSource = process,
): () => void {
  let stopping = false
  const onSignal = (signal: NodeJS.Signals): void => {
    if (stopping) {
      log.warn({ signal }, 'second signal: exiting now')
      exit(130)
      return
    }
    stopping = true
    log.info({ signal }, 'stopping (send the signal again to force)')
    stop().then(
      () => exit(0),
      (err: unknown) => {
        log.error({ err }, 'error while stopping')
        exit(1)
      },
    )
  }
  source.on('SIGINT', onSignal)
  source.on('SIGTERM', onSignal)
  return () => {
    source.off('SIGINT', onSignal)
    source.off('SIGTERM', onSignal)
  }
}

/**
 * SIGHUP reloads the config (what `systemctl reload` and log rotation send). Without a handler
 * Node would exit on it; with this one the daemon never stops on a HUP. `reload` logs its own
 * outcome and must not throw; a throw is logged here all the same. Returns a remover.
 */
export function handleReloadSignal(
  reload: () => Promise<unknown>,
  log: Logger,
  source: SignalSource = process,
): () => void {
  const onHangup = (signal: NodeJS.Signals): void => {
    log.info({ signal }, 'reloading the config')
    reload().catch((err: unknown) => log.error({ err }, 'config reload failed'))
  }
  source.on('SIGHUP', onHangup)
  return () => {
    source.off('SIGHUP', onHangup)
  }
}
