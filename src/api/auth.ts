import { createHash, timingSafeEqual } from 'node:crypto'
import type { IncomingMessage } from 'node:http'
import { unauthorized } from './errors.js'

/**
 * Constant-time token comparison. Both sides are hashed first, so the comparison runs on equal
 * lengths and its time says nothing about the token's length either.
 */
export function tokenMatches(expected: string, given: string | undefined): boolean {
  if (given === undefined || given.length === 0) return false
  const a = createHash('sha256').update(expected, 'utf8').digest()
  const b = createHash('sha256').update(given, 'utf8').digest()
  return timingSafeEqual(a, b)
}

/** The token of an `Authorization: Bearer <token>` header, if there is one. */
export function bearerToken(req: IncomingMessage): string | undefined {
  const header = req.headers.authorization
  if (header === undefined) return undefined
  const match = /^Bearer[ ]+([^\s]+)\s*$/i.exec(header)
  return match?.[1]
}

/**
 * Throws a 401 ApiError unless the request carries the token: in the Authorization header, or
 * (WebSocket upgrades only: browsers cannot set headers there) as `?token=`.
 */
export function requireToken(
  req: IncomingMessage,
  expected: string,
  query?: URLSearchParams,
): void {
  const given = bearerToken(req) ?? query?.get('token') ?? undefined
  if (!tokenMatches(expected, given)) throw unauthorized()
}
