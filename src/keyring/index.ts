export {
  KeyringService,
  keyring,
  type KeyringComponents,
  type KeyringInit,
  type KeyView,
  type KeyOpResult,
  type MemberKeyResult,
  type KeyringEvents,
  type KeyringStats,
} from './service.js'
export {
  KeyringOpError,
  merge,
  parseState,
  initialState,
  type KeyringState,
  type KeyOp,
} from './state.js'
export {
  FileKeyringStore,
  MemoryKeyringStore,
  openKeyring,
  keysOf,
  applyState,
  heldKeyIds,
  type KeyringStore,
} from './store.js'
export {
  FileKeyAudit,
  MemoryKeyAudit,
  type KeyAudit,
  type KeyAuditEntry,
  type KeyOpMeta,
} from './audit.js'
export { KEY_AUDIT_FILE, KEYRING_FILE, KEYRING_PROTOCOL } from './constants.js'
