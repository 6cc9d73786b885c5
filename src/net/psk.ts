/**
 * libp2p private network (pnet) pre-shared key files. Format (the one IPFS and go-libp2p use):
 *
 *     /key/swarm/psk/1.0.0/
 *     /base16/
 *     <64 hexadecimal characters: the 32-byte key>
 *
 * `parsePskFile` checks each line and says which one is wrong; @libp2p/pnet itself only
 * answers "invalid psk". Its result is what `preSharedKey({ psk })` takes.
 */
import { randomBytes } from 'node:crypto'
import { InvalidPskError } from './errors.js'

export const PSK_HEADER = '/key/swarm/psk/1.0.0/'
export const PSK_ENCODING = '/base16/'
/** Key length in bytes (xsalsa20 key); 64 hex characters in the file. */
export const PSK_KEY_BYTES = 32

/** A new key file as text, from 32 random bytes. Write it with mode 0600. */
export function generatePskFile(): string {
  return formatPskFile(randomBytes(PSK_KEY_BYTES).toString('hex'))
}

/**
 * Validates a key file (text or raw bytes) and returns it in canonical form (lowercase hex,
 * `\n` line ends) as bytes for `preSharedKey({ psk })`. Throws `InvalidPskError`.
 */
export function parsePskFile(file: string | Uint8Array): Uint8Array {
  const text = typeof file === 'string' ? file : new TextDecoder().decode(file)
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/)
  while (lines.length > 0 && lines[lines.length - 1]?.trim() === '') lines.pop()

  if (lines.length < 3) {
    throw new InvalidPskError(
      `PSK file has ${lines.length} line(s); expected 3: '${PSK_HEADER}', '${PSK_ENCODING}' and the hex key`,
    )
  }
  const [header, encoding, hex, ...rest] = lines.map((line) => line.trim())
  if (header !== PSK_HEADER) {
    throw new InvalidPskError(`PSK file line 1 must be '${PSK_HEADER}', got '${clip(header)}'`)
  }
  if (encoding !== PSK_ENCODING) {
    throw new InvalidPskError(
      `PSK file line 2 must be '${PSK_ENCODING}' (the only encoding supported), got '${clip(encoding)}'`,
    )
  }
  const key = hex ?? ''
  const bad = key.search(/[^0-9a-fA-F]/)
  if (bad !== -1) {
    throw new InvalidPskError(
      `PSK file line 3 has a non-hexadecimal character '${key[bad]}' at column ${bad + 1}`,
    )
  }
  if (key.length !== PSK_KEY_BYTES * 2) {
    throw new InvalidPskError(
      `PSK file line 3 must be ${PSK_KEY_BYTES * 2} hexadecimal characters (${PSK_KEY_BYTES} bytes), got ${key.length}`,
    )
  }
  const extra = rest.findIndex((line) => line !== '')
  if (extra !== -1) {
    throw new InvalidPskError(`PSK file has unexpected content on line ${extra + 4}`)
  }
  return new TextEncoder().encode(formatPskFile(key.toLowerCase()))
}

function formatPskFile(hexKey: string): string {
  return `${PSK_HEADER}\n${PSK_ENCODING}\n${hexKey}\n`
}

function clip(value: string | undefined): string {
  const text = value ?? ''
  return text.length > 40 ? `${text.slice(0, 40)}…` : text
}
