import { DEFAULT_ANOMALY_LIMIT, MAX_ANOMALY_LIMIT } from '../constants.js'
import type { ApiContext } from '../context.js'
import { badRequest } from '../errors.js'
import type { Handler } from '../router.js'
import { ANOMALY_KINDS } from '../types.js'

/**
 * `GET /v1/anomalies?kind=REPLAY,STEP_SKEW&limit=50&peer=<id>`: the newest anomalies first, from the
 * observer component when there is one (none otherwise).
 */
export const anomalies =
  (ctx: ApiContext): Handler =>
  ({ query }) => {
    const kinds = parseKinds(query.getAll('kind'))
    const limit = parseLimit(query.get('limit'))
    const peer = query.get('peer')
    if (peer !== null && !/^[1-9A-HJ-NP-Za-km-z]{1,128}$/.test(peer))
      throw badRequest('peer: expected a peer id')
    const all = ctx.node.anomalies?.() ?? []
    const selected = all
      .filter((anomaly) => kinds === undefined || kinds.has(anomaly.kind))
      .filter((anomaly) => peer === null || anomaly.peerId === peer)
      .sort((a, b) => b.at - a.at)
      .slice(0, limit)
    return { status: 200, json: { anomalies: selected } }
  }

function parseKinds(values: string[]): ReadonlySet<string> | undefined {
  if (values.length === 0) return undefined
  const kinds = values.flatMap((value) => value.split(',')).map((kind) => kind.trim())
  for (const kind of kinds) {
    if (!(ANOMALY_KINDS as readonly string[]).includes(kind))
      throw badRequest(
        `kind: unknown anomaly kind ${JSON.stringify(kind)} (known: ${ANOMALY_KINDS.join(', ')})`,
      )
  }
  return new Set(kinds)
}

function parseLimit(value: string | null): number {
  if (value === null) return DEFAULT_ANOMALY_LIMIT
  const limit = /^\d{1,7}$/.test(value) ? Number(value) : NaN
  if (!(limit >= 1 && limit <= MAX_ANOMALY_LIMIT))
    throw badRequest(`limit: must be an integer from 1 to ${MAX_ANOMALY_LIMIT}`)
  return limit
}
