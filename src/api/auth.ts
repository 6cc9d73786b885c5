import { createHash, timingSafeEqual } from 'node:crypto'
import type { IncomingMessage } from 'node:http'
import { forbidden, unauthorized } from './errors.js'

/**
 * What a token opens. `admin` (`apiToken`): everything. `read` (`apiReadToken`): GET routes and
 * the event stream, never a write (DESIGN §16).
 */
export type Access = 'read' | 'admin'

/** The tokens a server takes: the admin one always, the read one if configured. */
export interface ApiTokens {
  admin: string
  read?: string | undefined
}

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
 * The access `given` grants, or undefined for no token or a wrong one. Both comparisons always
 * run, so the answer's time does not say which token was close.
 */
export function accessOf(tokens: ApiTokens, given: string | undefined): Access | undefined {
  const admin = tokenMatches(tokens.admin, given)
  const read = tokens.read !== undefined && tokenMatches(tokens.read, given)
  return admin ? 'admin' : read ? 'read' : undefined
}

/**
 * Throws a 401 ApiError unless the request carries a token (in the Authorization header, or,
 * on WebSocket upgrades only since browsers cannot set headers there, as `?token=`), and a
 * 403 if its token does not open `needed`. Returns the access granted.
 */
export function requireAccess(
  req: IncomingMessage,
  tokens: ApiTokens,
  needed: Access,
  query?: URLSearchParams,
): Access {
  const access = accessOf(tokens, bearerToken(req) ?? query?.get('token') ?? undefined)
  if (access === undefined) throw unauthorized()
  if (needed === 'admin' && access !== 'admin') throw forbidden()
  return access
}

/** As requireAccess with the admin token alone (kept for callers with one token). */
export function requireToken(
  req: IncomingMessage,
  expected: string,
  query?: URLSearchParams,
): void {
  requireAccess(req, { admin: expected }, 'admin', query)
}
