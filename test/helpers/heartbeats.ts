/** A heartbeat payload for membership and role tests: an active, eligible member of weight 10. */
import type { HeartbeatPayload } from '../../src/membership/index.js'

export function heartbeatPayload(changes: Partial<HeartbeatPayload> = {}): HeartbeatPayload {
  return {
    status: 'active',
    weight: 10,
    roles: ['member'],
    version: '1.0.0',
    term: 0,
    principal: null,
    principalWeight: 0,
    termAgeMs: 0,
    observer: false,
    eligible: true,
    ...changes,
  }
}
