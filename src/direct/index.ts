export * from './constants.js'
export * from './errors.js'
export { DirectMessaging, directMessaging } from './direct-service.js'
export type {
  AckedBroadcast,
  DirectComponents,
  DirectStats,
  RoutableMember,
  SendOptions,
  SendResult,
} from './types.js'
export {
  MessageLog,
  messageLog,
  type LoggedMessage,
  type MessagePage,
  type MessageLogStats,
} from './message-log.js'
export { registerMessageLogMetrics } from './metrics.js'
export { parseTarget, rendezvousOwner, resolveTarget, type Target } from './targets.js'
