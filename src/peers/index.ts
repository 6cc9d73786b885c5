/**
 * Peers (DESIGN §13): signed peer records travel in heartbeats and land in the peer store
 * (PeerRecords), and a peer manager keeps `targetPeers` connections to random alive members,
 * at most `maxPeers` (PeerManager). The selection is pure (selection.ts), numbers in
 * constants.ts.
 */
export * from './constants.js'
export {
  RECORD_REFUSAL_CODES,
  checkPeerRecord,
  sealPeerRecord,
  storedRecordSeq,
  type RecordCheck,
  type RecordCheckOptions,
  type RecordRefusalCode,
  type VerifiedPeerRecord,
} from './peer-record.js'
export {
  PeerRecords,
  peerRecords,
  type PeerRecordsComponents,
  type PeerRecordsInit,
  type PeerRecordsStats,
} from './peer-records.js'
export {
  PeerManager,
  peerManager,
  type MemberDirectory,
  type PeerManagerComponents,
  type PeerManagerInit,
  type PeerManagerStats,
} from './peer-manager.js'
export {
  planDials,
  planPrunes,
  sample,
  type DialPlan,
  type DialRound,
  type OpenPeer,
  type PruneRound,
} from './selection.js'
