export { Daemon, type DaemonInit } from './daemon.js'
export { createLogger } from './logger.js'
export { handleShutdownSignals } from './signals.js'
