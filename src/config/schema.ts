/**
 * JSON Schema of MeshConfig: the one description of every key, used to validate files,
 * environment variables, flags and CONFIG advice alike, and to parse env strings by type.
 */
export const CONFIG_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  properties: {
    meshId: { type: 'string', pattern: '^[A-Za-z0-9._-]{1,64}$' },
    nodeId: { type: 'string', minLength: 1, maxLength: 128 },
    seed: { type: ['string', 'number'] },
    keyFile: { type: 'string', minLength: 1 },
    pskFile: { type: 'string', minLength: 1 },
    dataDir: { type: 'string', minLength: 1 },
    stepIntervalMs: { type: 'integer', minimum: 10, maximum: 3_600_000 },
    stepWindow: { type: 'integer', minimum: 0, maximum: 1000 },
    heartbeatIntervalMs: { type: 'integer', minimum: 10, maximum: 600_000 },
    heartbeatInterval: { type: 'integer', minimum: 10, maximum: 600_000 },
    principalHeartbeatIntervalMs: { type: 'integer', minimum: 10, maximum: 600_000 },
    suspectAfter: { type: 'integer', minimum: 1, maximum: 1000 },
    deadAfter: { type: 'integer', minimum: 1, maximum: 1000 },
    weight: { type: 'number', minimum: 0 },
    maxWeight: { type: 'number', exclusiveMinimum: 0 },
    preempt: { type: 'boolean' },
    observer: { type: 'boolean' },
    cacheSize: { type: 'integer', minimum: 16, maximum: 10_000_000 },
    phaseResetInterval: { type: 'integer', minimum: 0 },
    algorithm: { enum: ['sha1', 'sha256', 'sha512'] },
    listen: { type: 'array', items: { type: 'string', minLength: 1 }, maxItems: 32 },
    bootstrap: { type: 'array', items: { type: 'string', minLength: 1 }, maxItems: 256 },
    mdns: { type: 'boolean' },
    api: { type: 'string', pattern: '^(off|[^\\s:]+:\\d{1,5}|\\[[0-9a-fA-F:]+\\]:\\d{1,5})$' },
    apiToken: { type: 'string', minLength: 16, maxLength: 256 },
    apiRateLimit: {
      type: 'object',
      additionalProperties: false,
      required: ['writesPerSecond', 'burst'],
      properties: {
        writesPerSecond: { type: 'number', exclusiveMinimum: 0, maximum: 1_000_000 },
        burst: { type: 'integer', minimum: 1, maximum: 1_000_000 },
      },
    },
    logLevel: { enum: ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] },
    maxFrameBytes: { type: 'integer', minimum: 256, maximum: 1_000_000 },
    batchMaxMessages: { type: 'integer', minimum: 1, maximum: 4096 },
    batchLingerMs: { type: 'number', minimum: 0, maximum: 1000 },
    sendQueueLimit: { type: 'integer', minimum: 1, maximum: 10_000_000 },
    messageLogSize: { type: 'integer', minimum: 1, maximum: 10_000_000 },
    floodRatePerSecond: { type: 'number', exclusiveMinimum: 0 },
    floodBurst: { type: 'number', minimum: 1 },
    maxNodes: { type: 'integer', minimum: 1, maximum: 100_000 },
    targetPeers: { type: 'integer', minimum: 0, maximum: 1000 },
    maxPeers: { type: 'integer', minimum: 1, maximum: 10_000 },
    gossipMeshDegree: { type: 'integer', minimum: 1, maximum: 32 },
    gossipFloodPublish: { type: 'boolean' },
    syncTimeout: { type: 'integer', minimum: 10, maximum: 600_000 },
    retryAttempts: { type: 'integer', minimum: 0, maximum: 100 },
    timeoutMs: { type: 'integer', minimum: 10, maximum: 600_000 },
  },
} as const

export type ConfigKey = keyof typeof CONFIG_SCHEMA.properties

export const CONFIG_KEYS = Object.keys(CONFIG_SCHEMA.properties) as ConfigKey[]
