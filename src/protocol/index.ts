export * from './constants.js'
export type { Envelope, EnvelopeFields, DecodedFrame } from './envelope.js'
export { decodeFrame, encodeBody, isPeerIdText, type DecodeResult } from './codec.js'
export { computeTag, tagMatches } from './tag.js'
export { sealEnvelope, sealEnvelopeInto, sealedLength } from './seal.js'
export {
  ReplayGuard,
  type ReplayGuardInit,
  type ReplayGuardStats,
  type ReplayStatus,
} from './replay-guard.js'
export { VERDICT_CODES, VERDICT_OF, type Verdict, type VerdictCode } from './verdict.js'
export { verifyFrame, type VerifyContext, type VerifyResult } from './verify.js'
export { decodeJsonPayload, encodeJsonPayload, type JsonParseResult } from './json-payload.js'
export {
  BATCH_MAGIC,
  MAX_BATCH_FRAMES,
  decodeBatch,
  encodeBatch,
  writeBatch,
  type BatchDecodeResult,
} from './batch.js'
