/** What a MeshPeer is built from. */
import type { AdviceAudit, AdviceStore } from '../advice/index.js'
import type { KeyAudit, KeyringInit, KeyringStore } from '../keyring/index.js'
import type { RepairInit } from '../delivery/index.js'
import type { MeshNodeInit } from '../node/index.js'
import type { RoleStateStore } from '../roles/index.js'

export interface MeshPeerInit extends Omit<MeshNodeInit, 'announceSteps'> {
  /**
   * Membership, roles and advice run unless `membership: false` (tests of the messaging layer
   * alone); the observer always runs. Role state and advice persist through the stores given
   * (the daemon's are files in the data dir; in memory if omitted).
   */
  services?: {
    membership?: boolean
    roleStore?: RoleStateStore
    /** Software version announced in heartbeats (the daemon passes package.json's). */
    version?: string
    adviceStore?: AdviceStore
    adviceAudit?: AdviceAudit
    /** The keyring's persistence (the daemon's `keyring.json`); in memory if omitted. */
    keyringStore?: KeyringStore
    /** The key operations asked through the API (the daemon's `key-audit.jsonl`). */
    keyAudit?: KeyAudit
    /** The keyring's anti-entropy period and clock (default: every 5 heartbeats). */
    keyring?: KeyringInit
    /** Repair's clock, randomness and test hooks (retention itself is config: retentionMs). */
    repair?: RepairInit
  }
}
