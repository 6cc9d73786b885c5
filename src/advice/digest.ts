/**
 * The anti-entropy digest, pure: a hex trie over item hashes. Every item (an advice, a result)
 * has a 64-bit id (16 hex digits of sha256 of its key); a bucket is a hex prefix, its digest
 * the XOR of its items' ids and their count. Two nodes compare the root, then only the
 * children that differ, down to buckets small enough to list: the bytes exchanged grow with
 * the number of differences (times the depth, log16 of the log), not with the log.
 */
import { createHash } from 'node:crypto'

export function itemHash(key: string): string {
  return createHash('sha256').update(key).digest('hex').slice(0, 16)
}

export interface Bucket {
  p: string
  h: string
  n: number
}

export class DigestIndex {
  /** Sorted item hashes. */
  private readonly hashes: string[]

  constructor(hashes: Iterable<string>) {
    this.hashes = [...new Set(hashes)].sort()
  }

  get size(): number {
    return this.hashes.length
  }

  has(hash: string): boolean {
    const i = this.lowerBound(hash)
    return this.hashes[i] === hash
  }

  /** Item hashes under `prefix`. */
  under(prefix: string): string[] {
    return this.hashes.slice(this.lowerBound(prefix), this.upperBound(prefix))
  }

  bucket(prefix: string): Bucket {
    let acc = 0n
    const items = this.under(prefix)
    for (const h of items) acc ^= BigInt(`0x${h}`)
    return { p: prefix, h: acc.toString(16), n: items.length }
  }

  /** The non-empty children of `prefix`. */
  children(prefix: string): Bucket[] {
    const out: Bucket[] = []
    for (const digit of '0123456789abcdef') {
      const b = this.bucket(prefix + digit)
      if (b.n > 0) out.push(b)
    }
    return out
  }

  private lowerBound(prefix: string): number {
    let lo = 0
    let hi = this.hashes.length
    while (lo < hi) {
      const mid = (lo + hi) >> 1
      if (this.hashes[mid]! < prefix) lo = mid + 1
      else hi = mid
    }
    return lo
  }

  private upperBound(prefix: string): number {
    // Every hash with this prefix sorts below prefix + 'g' (hex digits sort below 'g').
    return this.lowerBound(prefix + 'g')
  }
}
