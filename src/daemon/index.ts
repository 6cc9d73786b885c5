export { Daemon, type DaemonInit } from './daemon.js'
export { holdHangups, releaseHangups } from './early-hangup.js'
export { createLogger } from './logger.js'
export {
  ConfigReloader,
  describeChanges,
  planReload,
  type ConfigReloaderInit,
  type ReloadOutcome,
  type ReloadPlan,
  type ReloadResult,
} from './reload.js'
export { handleReloadSignal, handleShutdownSignals, type SignalSource } from './signals.js'
