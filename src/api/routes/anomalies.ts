import { DEFAULT_ANOMALY_LIMIT, MAX_ANOMALY_LIMIT } from '../constants.js'
import { badRequest } from '../errors.js'
import { ANOMALY_KINDS } from '../types.js'
import { DEFAULT_ERROR, errorResponse, jsonResponse, route } from './route.js'

interface AnomalyQuery {
  kind?: string[]
  limit: number
  peer?: string
}

/**
 * `GET /v1/anomalies?kind=REPLAY,STEP_SKEW&limit=50&peer=<id>`: the newest anomalies first, from
 * the observer component when there is one (none otherwise).
 */
export const anomalies = route({
  method: 'GET',
  path: '/v1/anomalies',
  schema: {
    operationId: 'getAnomalies',
    summary: 'Recorded anomalies, newest first',
    tags: ['observer'],
    querystring: {
      type: 'object',
      properties: {
        kind: {
          type: 'array',
          items: { type: 'string' },
          description: 'anomaly kinds, comma-separated or repeated',
          examples: [['REPLAY,STEP_SKEW']],
        },
        limit: {
          type: 'integer',
          minimum: 1,
          maximum: MAX_ANOMALY_LIMIT,
          default: DEFAULT_ANOMALY_LIMIT,
        },
        peer: {
          type: 'string',
          pattern: '^[1-9A-HJ-NP-Za-km-z]{1,128}$',
          description: 'only anomalies blamed on this peer id',
        },
      },
    },
    response: {
      200: jsonResponse('anomalies', 'Anomalies'),
      400: errorResponse('bad kind, limit or peer'),
      default: DEFAULT_ERROR,
    },
  },
  handler: (ctx) => (request) => {
    const query = request.query as AnomalyQuery
    const kinds = parseKinds(query.kind)
    const all = ctx.node.anomalies?.() ?? []
    const selected = all
      .filter((anomaly) => kinds === undefined || kinds.has(anomaly.kind))
      .filter((anomaly) => query.peer === undefined || anomaly.peerId === query.peer)
      .sort((a, b) => b.at - a.at)
      .slice(0, query.limit)
    return { anomalies: selected }
  },
})

function parseKinds(values: string[] | undefined): ReadonlySet<string> | undefined {
  if (values === undefined || values.length === 0) return undefined
  const kinds = values.flatMap((value) => value.split(',')).map((kind) => kind.trim())
  for (const kind of kinds) {
    if (!(ANOMALY_KINDS as readonly string[]).includes(kind))
      throw badRequest(
        `kind: unknown anomaly kind ${JSON.stringify(kind)} (known: ${ANOMALY_KINDS.join(', ')})`,
      )
  }
  return new Set(kinds)
}
