/**
 * Keyring routes (DESIGN §16): `GET /v1/keys` → `{ keys: [{ id, primary, members }] }` and
 * `POST /v1/keys { op, key }` (`install` takes the key's hex; `use` and `remove` a key id;
 * `list` answers as the GET) → `{ op, id, results: [{ member, status, detail? }] }`, one result
 * per alive member the operation was pushed to. Key bytes are never in an answer or an error.
 * Every operation asked here is written to the key audit log in the data dir (ids only).
 */
import type { ApiContext } from '../context.js'
import { ApiError, badRequest } from '../errors.js'
import type { ApiKeys } from '../types.js'
import { BEARER, DEFAULT_ERROR, LIMITED, UNAUTHORIZED, errorResponse, route, who } from './route.js'

const KEY_LIST = {
  description: 'the keys, primary first',
  type: 'object',
  required: ['keys'],
  properties: {
    keys: {
      type: 'array',
      items: {
        type: 'object',
        required: ['id', 'primary', 'members'],
        properties: {
          id: { type: 'string', description: 'first 8 hex digits of SHA-256 of the key' },
          primary: { type: 'boolean', description: 'senders stamp with it' },
          members: { type: 'integer', description: 'members known to hold it, this node included' },
        },
      },
    },
  },
}

const KEY_OP_ANSWER = {
  description: 'the operation, done here, and its result on each alive member',
  type: 'object',
  required: ['op'],
  properties: {
    op: { type: 'string' },
    keys: { ...KEY_LIST.properties.keys, description: '`list` only: the keys, as GET /v1/keys' },
    id: { type: 'string' },
    results: {
      type: 'array',
      items: {
        type: 'object',
        required: ['member', 'status'],
        properties: {
          member: { type: 'string' },
          status: { type: 'string', enum: ['ok', 'failed'] },
          detail: { type: 'string' },
        },
      },
    },
  },
}

const KEY_OP_SCHEMA = {
  type: 'object',
  required: ['op'],
  additionalProperties: false,
  properties: {
    op: { type: 'string', enum: ['list', 'install', 'use', 'remove'] },
    key: {
      type: 'string',
      maxLength: 256,
      description:
        '`install`: the key as hex (32 bytes from `patternmesh keygen`); `use`, `remove`: a key id',
    },
  },
} as const

const NO_KEYRING = errorResponse('this node has no keyring (not started)')

function keysOf(ctx: ApiContext): ApiKeys {
  const keys = ctx.node.keys
  if (keys === undefined) throw new ApiError(503, 'KEYRING_UNAVAILABLE', 'no keyring on this node')
  return keys
}

export const listKeys = route({
  method: 'GET',
  path: '/v1/keys',
  schema: {
    operationId: 'listKeys',
    summary: 'The network keys of this node (ids only) and how many members hold each',
    tags: ['keys'],
    response: { 200: KEY_LIST, 503: NO_KEYRING, default: DEFAULT_ERROR },
  },
  handler: (ctx) => () => ({ keys: keysOf(ctx).list() }),
})

export const postKeys = route({
  method: 'POST',
  path: '/v1/keys',
  auth: true,
  write: true,
  schema: {
    operationId: 'postKeys',
    summary: 'Install, use or remove a network key here and on every alive member',
    description:
      'Answered once every alive member answered (or failed). `use` is refused (409) while an alive member lacks the key, naming them; `remove` of the primary is refused (409), and of a key that was the primary here less than `retentionMs` ago (409, frames under it are still retained for repair).',
    tags: ['keys'],
    security: BEARER,
    body: KEY_OP_SCHEMA,
    response: {
      200: { ...KEY_OP_ANSWER, description: 'done (or the key list, for `list`)' },
      400: errorResponse('a bad key or id, or a missing one'),
      401: UNAUTHORIZED,
      404: errorResponse('no installed key has that id'),
      409: errorResponse(
        'refused: the primary, a key some alive member lacks, a full keyring; KEY_RECENTLY_PRIMARY: a key that was the primary less than retentionMs ago (Retry-After says when)',
        { 'Retry-After': { type: 'integer' } },
      ),
      429: LIMITED,
      503: NO_KEYRING,
      default: DEFAULT_ERROR,
    },
  },
  handler: (ctx) => async (request, reply) => {
    const keys = keysOf(ctx)
    const { op, key } = request.body as { op: string; key?: string }
    if (op === 'list') return { op, keys: keys.list() }
    if (key === undefined || key.trim() === '')
      throw badRequest(
        `key: is required for ${op} (${op === 'install' ? 'hex of the key' : 'a key id'})`,
      )
    if (op !== 'install' && !/^[0-9a-f]{8}$/.test(key))
      throw badRequest('key: a key id is 8 lowercase hex digits (see GET /v1/keys)')
    // Written to the key audit log by the keyring (ids only, never the key).
    const meta = { who: who(request) }
    try {
      const answer =
        op === 'install'
          ? await keys.install(key, meta)
          : op === 'use'
            ? await keys.use(key, meta)
            : await keys.remove(key, meta)
      return await reply.code(200).send(answer)
    } catch (err) {
      throw keyError(err)
    }
  },
})

/** Keyring errors by code → API errors (their messages name ids, never key bytes). */
function keyError(err: unknown): unknown {
  const e = err as { name?: string; code?: string; message?: string; retryAfterMs?: number }
  const message = e.message ?? String(err)
  if (e.name === 'InvalidKeyError') return badRequest(message)
  switch (e.code) {
    case 'NO_SUCH_KEY':
      return new ApiError(404, 'NO_SUCH_KEY', message)
    case 'KEY_RECENTLY_PRIMARY':
      return new ApiError(409, e.code, message, {
        'Retry-After': String(Math.ceil((e.retryAfterMs ?? 1000) / 1000)),
      })
    case 'KEY_IS_PRIMARY':
    case 'KEY_MISSING':
    case 'KEYRING_FULL':
      return new ApiError(409, e.code, message)
    default:
      return err
  }
}
