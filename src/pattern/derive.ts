/**
 * The exact derivations of DESIGN §2 / PROTOCOL.md, as pure functions. Everything above this
 * file (generator, cache, envelope tags) is built on these five.
 */
import { createHash, createHmac } from 'node:crypto'
import { InvalidKeyError, InvalidStepError } from '../errors.js'
import { PHASE_LABEL, SEED_LABEL, type PatternAlgorithm } from './constants.js'

/** n as 8 bytes big-endian; n must be a safe non-negative integer. */
export function u64be(n: number): Buffer {
  assertStep(n)
  const out = Buffer.allocUnsafe(8)
  out.writeUInt32BE(Math.floor(n / 0x1_0000_0000), 0)
  out.writeUInt32BE(n >>> 0, 4)
  return out
}

export function assertStep(step: number): void {
  if (!Number.isSafeInteger(step) || step < 0) {
    throw new InvalidStepError(
      `step must be an integer in 0..${Number.MAX_SAFE_INTEGER}, got ${String(step)}`,
    )
  }
}

/** seed → network key: SHA-256(utf8("patternmesh:seed:v1:" + String(seed))). Not for production. */
export function networkKeyFromSeed(seed: string | number): Buffer {
  if (typeof seed === 'number' && !Number.isFinite(seed)) {
    throw new InvalidKeyError(`seed must be a finite number or a string, got ${String(seed)}`)
  }
  const text = String(seed)
  if (text.length === 0) throw new InvalidKeyError('seed must not be empty')
  return createHash('sha256')
    .update(SEED_LABEL + text, 'utf8')
    .digest()
}

/** phase = floor(step / phaseResetInterval); 0 when the phase never resets. */
export function phaseOf(step: number, phaseResetInterval: number): number {
  return phaseResetInterval > 0 ? Math.floor(step / phaseResetInterval) : 0
}

/**
 * Phase key: the network key itself when phases never reset, otherwise
 * HMAC(networkKey, utf8("patternmesh:phase:v1") ‖ u64be(phase)).
 */
export function derivePhaseKey(
  algorithm: PatternAlgorithm,
  networkKey: Uint8Array,
  phaseResetInterval: number,
  phase: number,
): Buffer {
  if (phaseResetInterval === 0) return Buffer.from(networkKey)
  return createHmac(algorithm, networkKey)
    .update(Buffer.from(PHASE_LABEL, 'utf8'))
    .update(u64be(phase))
    .digest()
}

/** Step key: HMAC(phaseKey, u64be(step)), the full HMAC output. */
export function deriveStepKey(
  algorithm: PatternAlgorithm,
  phaseKey: Uint8Array,
  step: number,
): Buffer {
  return createHmac(algorithm, phaseKey).update(u64be(step)).digest()
}

/** RFC 4226 §5.3 dynamic truncation: a 31-bit integer from an HMAC output. */
export function dynamicTruncate(hmac: Uint8Array): number {
  const offset = (hmac[hmac.length - 1] ?? 0) & 0x0f
  return (
    (((hmac[offset] ?? 0) & 0x7f) << 24) |
    (((hmac[offset + 1] ?? 0) & 0xff) << 16) |
    (((hmac[offset + 2] ?? 0) & 0xff) << 8) |
    ((hmac[offset + 3] ?? 0) & 0xff)
  )
}

/** The D-digit code of a pattern value (value mod 10^D, zero-padded), as HOTP/TOTP print it. */
export function formatCode(value: number, digits: number): string {
  return String(value % 10 ** digits).padStart(digits, '0')
}
