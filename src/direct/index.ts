export * from './constants.js'
export * from './errors.js'
export {
  DirectMessaging,
  directMessaging,
  type AckedBroadcast,
  type DirectComponents,
  type DirectStats,
  type RoutableMember,
  type SendOptions,
  type SendResult,
} from './direct-service.js'
export {
  MessageLog,
  messageLog,
  type LoggedMessage,
  type MessagePage,
  type MessageLogStats,
} from './message-log.js'
export { parseTarget, rendezvousOwner, resolveTarget, type Target } from './targets.js'
