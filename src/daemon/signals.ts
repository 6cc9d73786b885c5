import type { Logger } from 'pino'

/**
 * SIGINT/SIGTERM stop the daemon once, gracefully; a second signal forces exit at once.
 * Returns a function that removes the handlers.
 */
export function handleShutdownSignals(
  stop: () => Promise<void>,
  log: Logger,
  exit: (code: number) => void = process.exit,
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
  process.on('SIGINT', onSignal)
  process.on('SIGTERM', onSignal)
  return () => {
    process.off('SIGINT', onSignal)
    process.off('SIGTERM', onSignal)
  }
}
