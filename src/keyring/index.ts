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
  type KeyringStore,
} from './store.js'
export { KEYRING_FILE, KEYRING_PROTOCOL } from './constants.js'
