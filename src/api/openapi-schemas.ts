/**
 * Shared schemas of the routes' responses (DESIGN §8 shapes and the event frames). Each is
 * added to Fastify under its `$id`; @fastify/swagger lists them as components of
 * `/openapi.json`, and routes point at them with `ref('Status')`.
 */
import { ANOMALY_KINDS, MEMBER_STATUSES } from './types.js'

export const ref = (name: string): { $ref: string } => ({ $ref: `${name}#` })
const nullable = (type: string): { type: string[] } => ({ type: [type, 'null'] })

const SCHEMAS: Record<string, object> = {
  Error: {
    type: 'object',
    required: ['error'],
    properties: {
      error: {
        type: 'object',
        required: ['code', 'message'],
        properties: {
          code: { type: 'string', examples: ['BAD_REQUEST', 'UNAUTHORIZED', 'RATE_LIMITED'] },
          message: { type: 'string' },
        },
      },
    },
  },
  Health: {
    type: 'object',
    required: ['status'],
    properties: { status: { type: 'string', enum: ['ok'] } },
  },
  Ready: {
    type: 'object',
    required: ['status'],
    properties: { status: { type: 'string', enum: ['ready'] } },
  },
  NotReady: {
    type: 'object',
    required: ['status', 'error'],
    properties: {
      status: { type: 'string', enum: ['not-ready'] },
      error: {
        type: 'object',
        required: ['code', 'message'],
        properties: { code: { type: 'string' }, message: { type: 'string' } },
      },
    },
  },
  Status: {
    type: 'object',
    required: [
      'peerId',
      'meshId',
      'step',
      'term',
      'principal',
      'roles',
      'observer',
      'connectedPeers',
      'members',
      'version',
    ],
    properties: {
      peerId: { ...nullable('string'), description: 'null before the node is started' },
      meshId: { type: 'string' },
      step: { type: 'integer', minimum: 0 },
      term: { type: 'integer', minimum: 0 },
      principal: nullable('string'),
      roles: { type: 'array', items: { type: 'string' } },
      observer: { type: 'boolean' },
      weight: { type: 'number', minimum: 0, description: 'this node’s election weight' },
      connectedPeers: { type: 'integer', minimum: 0 },
      targetPeers: {
        type: 'integer',
        minimum: 0,
        description: 'connections the peer manager keeps (config `targetPeers`, default 6)',
      },
      members: {
        type: 'object',
        required: ['alive', 'suspect', 'dead'],
        description: 'members by status, this node included while it runs',
        properties: Object.fromEntries(
          MEMBER_STATUSES.map((status) => [status, { type: 'integer', minimum: 0 }]),
        ),
      },
      ready: { type: 'boolean' },
      version: { type: 'string' },
    },
  },
  PeerView: {
    type: 'object',
    required: ['peerId', 'status', 'weight', 'roles', 'step', 'lastSeen', 'observer'],
    properties: {
      peerId: { type: 'string' },
      status: {
        type: 'string',
        enum: [...MEMBER_STATUSES],
        description: '`leaving`: announced its stop; `left`: gone after announcing it',
      },
      weight: nullable('number'),
      roles: { type: 'array', items: { type: 'string' } },
      step: { ...nullable('integer'), description: 'last step heard from the peer' },
      lastSeen: { ...nullable('integer'), description: 'ms since the epoch' },
      observer: nullable('boolean'),
      heartbeatIntervalMs: {
        ...nullable('integer'),
        description: 'the heartbeat interval the peer announced (the principal may be faster)',
      },
      addrs: {
        type: 'array',
        items: { type: 'string' },
        description: 'known multiaddrs (peer store)',
      },
      connected: { type: 'boolean', description: 'an open libp2p connection to it' },
      droppedWhileGraylisted: {
        type: 'integer',
        minimum: 0,
        description: 'its frames dropped unread while gossipsub graylisted it',
      },
      messagesPerSecond: { type: 'number' },
      latencyMs: nullable('number'),
      anomalies: { type: 'integer', minimum: 0 },
    },
  },
  Peers: {
    type: 'object',
    required: ['peers'],
    properties: { peers: { type: 'array', items: ref('PeerView') } },
  },
  Anomaly: {
    type: 'object',
    required: ['id', 'kind', 'severity', 'peerId', 'step', 'at', 'detail'],
    properties: {
      id: { type: 'string' },
      kind: { type: 'string', enum: [...ANOMALY_KINDS] },
      severity: { type: 'string', enum: ['info', 'warning', 'critical'] },
      peerId: nullable('string'),
      step: nullable('integer'),
      at: { type: 'integer', description: 'ms since the epoch' },
      detail: { type: 'string' },
      count: {
        type: 'integer',
        minimum: 1,
        description: 'occurrences folded into this record (same peer and kind within 1 s)',
      },
      witnesses: {
        type: 'array',
        items: { type: 'string' },
        description: 'peers that saw it first-hand (this node included when it did)',
      },
      source: {
        type: 'string',
        enum: ['local', 'reported'],
        description: 'seen here, or believed from a verified anomaly report',
      },
    },
  },
  NetworkMetrics: {
    type: 'object',
    required: [
      'totalNodes',
      'messagesPerSecond',
      'averageLatency',
      'patternMismatches',
      'networkHealth',
    ],
    properties: {
      totalNodes: { type: 'integer', description: 'alive members, this node included' },
      messagesPerSecond: { type: 'number', description: 'accepted data messages/s, last 10 s' },
      averageLatency: {
        ...nullable('number'),
        description: 'mean ms from frame timestamp to acceptance, last 10 s',
      },
      patternMismatches: { type: 'integer', description: 'PATTERN_MISMATCH frames since start' },
      networkHealth: { type: 'number', minimum: 0, maximum: 1 },
    },
  },
  Anomalies: {
    type: 'object',
    required: ['anomalies'],
    properties: { anomalies: { type: 'array', items: ref('Anomaly') } },
  },
  MessageReceipt: {
    type: 'object',
    required: ['id', 'step', 'seq'],
    properties: {
      id: { type: 'string', description: 'hex of the frame tag; the same on every node' },
      step: { type: 'integer' },
      seq: { type: 'integer' },
    },
  },
  MessageIds: {
    type: 'object',
    required: ['ids'],
    description: 'the ids of a batch, in the order of its messages',
    properties: { ids: { type: 'array', items: { type: 'string' } } },
  },
  MessageAccepted: {
    description: 'a receipt for one message, the ids for a batch',
    oneOf: [ref('MessageReceipt'), ref('MessageIds')],
  },
  Event: {
    description:
      'One `/v1/events` WebSocket frame: a JSON object `{ type, at, ...payload }`. `hello` comes first; `dropped` says how many frames a slow client missed.',
    oneOf: [
      ref('HelloEvent'),
      ref('MessageEvent'),
      ref('StepEvent'),
      ref('MemberEvent'),
      ref('RejectedEvent'),
      ref('DroppedEvent'),
      ref('AnomalyEvent'),
      ref('ComponentEvent'),
    ],
  },
  HelloEvent: event('hello', {
    peerId: nullable('string'),
    step: { type: 'integer' },
    types: { type: ['array', 'null'], items: { type: 'string' } },
  }),
  MessageEvent: event('message', {
    peerId: { type: 'string', description: 'the sender' },
    from: { type: 'string', description: 'the peer that forwarded it' },
    id: { type: 'string' },
    step: { type: 'integer' },
    seq: { type: 'integer' },
    bytes: { type: 'integer', description: 'payload size' },
    data: { type: 'string', description: 'at most the first 1 KiB of the payload' },
    encoding: { type: 'string', enum: ['utf8', 'base64'] },
    truncated: { type: 'boolean' },
  }),
  StepEvent: event('step', {
    step: { type: 'integer' },
    previous: { type: 'integer' },
    reason: { type: 'string', enum: ['tick', 'sync'] },
  }),
  MemberEvent: event('member', {
    peerId: { type: 'string' },
    change: {
      type: 'string',
      enum: ['connected', 'disconnected', 'joined', 'status'],
      description: 'libp2p connection changes, and member table changes (with status)',
    },
  }),
  RejectedEvent: event('rejected', {
    code: { type: 'string', description: 'verdict code, e.g. PATTERN_MISMATCH' },
    verdict: { type: 'string', enum: ['reject', 'ignore'] },
    peerId: { type: 'string', description: 'the peer that signed the gossip message' },
    senderId: nullable('string'),
    step: nullable('integer'),
    topic: { type: 'string' },
    detail: nullable('string'),
  }),
  AnomalyEvent: {
    description: 'an anomaly the observer recorded: the Anomaly fields, with type "anomaly"',
    allOf: [ref('Anomaly'), { type: 'object', properties: { type: { const: 'anomaly' } } }],
  },
  DroppedEvent: event('dropped', { count: { type: 'integer', minimum: 1 } }),
  ComponentEvent: {
    type: 'object',
    description: 'role and advice events of the components that provide them',
    required: ['type', 'at'],
    properties: {
      type: { type: 'string', enum: ['role', 'advice'] },
      at: { type: 'integer' },
    },
  },
}

/** Every shared schema, with its name as `$id`, for `fastify.addSchema`. */
export function sharedSchemas(extra: Record<string, object> = {}): Array<{ $id: string }> {
  return Object.entries({ ...SCHEMAS, ...extra }).map(([$id, schema]) => ({ $id, ...schema }))
}

function event(type: string, properties: Record<string, object>): object {
  return {
    type: 'object',
    required: ['type', 'at', ...Object.keys(properties)],
    properties: { type: { const: type }, at: { type: 'integer' }, ...properties },
  }
}
