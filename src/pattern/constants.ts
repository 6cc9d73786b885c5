/** HMAC algorithms a mesh may use for pattern values and step keys. */
export const PATTERN_ALGORITHMS = ['sha1', 'sha256', 'sha512'] as const
export type PatternAlgorithm = (typeof PATTERN_ALGORITHMS)[number]

/** SHA-256 is the default: SHA-1 is kept for RFC 4226 compatibility only. */
export const DEFAULT_ALGORITHM: PatternAlgorithm = 'sha256'

/** Entries kept in the pattern cache (values and step keys) unless configured. */
export const DEFAULT_CACHE_SIZE = 1024

/** A network key is 32 random bytes (`patternmesh keygen`). */
export const NETWORK_KEY_BYTES = 32

/** Shorter raw keys are refused: they are guessable. RFC 4226's own test key is 20 bytes. */
export const MIN_KEY_BYTES = 16

/** Domain-separation labels of the derivations in PROTOCOL.md. */
export const SEED_LABEL = 'patternmesh:seed:v1:'
export const PHASE_LABEL = 'patternmesh:phase:v1'

/** Pattern values are 31-bit (RFC 4226 §5.3 masks the top bit). */
export const PATTERN_VALUE_MAX = 0x7fffffff
