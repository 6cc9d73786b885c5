/**
 * The in-process simulator runs every node in one process, so the ed25519 signature of each
 * gossip message (and of each peer record) is checked once by every node: in `scale-100`, a
 * hundred times the work a real machine does for its one node, on one core. While a run is
 * under way, a signature that verified is remembered process-wide by (public key, signature,
 * SHA-256 of the data), and the same check by another node is answered from memory. Only
 * successes are remembered and the whole input is in the key, so a forged or tampered message
 * is still checked, and refused, by every node. Daemons never load this module.
 */
import { createHash } from 'node:crypto'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { LRUCache } from 'lru-cache'

/** Checks remembered at most (an entry is ~100 bytes). */
export const REMEMBERED_CHECKS = 65_536

type Verify = (
  data: Uint8Array | { subarray(): Uint8Array },
  sig: Uint8Array,
  options?: unknown,
) => boolean | Promise<boolean>

interface KeyPrototype {
  verify: Verify
}

let installed: { prototype: KeyPrototype; original: Verify; users: number } | undefined
const verified = new LRUCache<string, true>({ max: REMEMBERED_CHECKS })
const stats = { checks: 0, remembered: 0 }

/** Checks answered from memory, and all checks, since the process started. */
export function sharedCheckStats(): { checks: number; remembered: number } {
  return { ...stats }
}

function keyOf(raw: Uint8Array, sig: Uint8Array, data: Uint8Array): string {
  return createHash('sha256').update(raw).update(sig).update(data).digest('base64')
}

/** Starts sharing (counted: each call needs its own release). Returns the release. */
export async function shareSignatureChecks(): Promise<() => void> {
  if (installed === undefined) {
    const sample = (await generateKeyPair('Ed25519')).publicKey
    const prototype = Object.getPrototypeOf(sample) as KeyPrototype
    const original = prototype.verify
    installed ??= { prototype, original, users: 0 }
    if (prototype.verify === original) {
      prototype.verify = function (this: { raw: Uint8Array }, data, sig, options) {
        stats.checks++
        const bytes = data instanceof Uint8Array ? data : data.subarray()
        const key = keyOf(this.raw, sig, bytes)
        if (verified.has(key)) {
          stats.remembered++
          return true
        }
        const remember = (ok: boolean): boolean => {
          if (ok) verified.set(key, true)
          return ok
        }
        const result = original.call(this, data, sig, options)
        return typeof result === 'boolean' ? remember(result) : result.then(remember)
      }
    }
  }
  const current = installed
  current.users++
  let released = false
  return () => {
    if (released) return
    released = true
    if (--current.users > 0) return
    current.prototype.verify = current.original
    verified.clear()
    if (installed === current) installed = undefined
  }
}
