import { isIP } from 'node:net'
import { ConfigError } from '../errors.js'
import type { ApiAddress } from './types.js'

/**
 * Parses the `api` config value: `HOST:PORT`, `[IPv6]:PORT`, or `off` (no API: null).
 * Throws a ConfigError naming `api`.
 */
export function parseApiAddress(value: string): ApiAddress | null {
  if (value === 'off') return null
  const match = /^(?:\[([0-9a-fA-F:.]+)\]|([^\s:[\]]+)):(\d{1,5})$/.exec(value)
  const port = Number(match?.[3])
  if (match === null || !(port >= 0 && port <= 65535))
    throw new ConfigError(
      `api: expected HOST:PORT, [IPv6]:PORT or "off", got ${JSON.stringify(value)}`,
      'api',
    )
  const host = match[1] ?? match[2] ?? ''
  if (match[1] !== undefined && isIP(host) !== 6)
    throw new ConfigError(`api: ${JSON.stringify(host)} is not an IPv6 address`, 'api')
  return { host, port }
}

/** True for addresses only this machine can reach: localhost, 127.0.0.0/8, ::1. */
export function isLoopbackHost(host: string): boolean {
  const bare = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host
  const lower = bare.toLowerCase()
  if (lower === 'localhost' || lower.endsWith('.localhost')) return true
  if (isIP(lower) === 4) return lower.startsWith('127.')
  if (isIP(lower) === 6) {
    if (lower === '::1' || /^(0{1,4}:){7}0{0,3}1$/.test(lower)) return true
    const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(lower)
    return mapped !== null && mapped[1]!.startsWith('127.')
  }
  return false
}

/**
 * DESIGN §8: binding the API to a non-loopback address without a token is refused. Only an
 * explicitly configured token (`--api-token`, `PATTERNMESH_API_TOKEN`, `apiToken`) counts: a
 * token generated into the data dir is unknown to anyone who would reach the address.
 */
export function assertSafeBind(host: string, tokenConfigured: boolean): void {
  if (tokenConfigured || isLoopbackHost(host)) return
  throw new ConfigError(
    `api: binding the control API to ${host} (not loopback) needs an explicit API token (--api-token, PATTERNMESH_API_TOKEN or apiToken)`,
    'api',
  )
}
