/**
 * Roles' Prometheus metrics: the term, whether this node is the principal, how often the
 * principal changed, and the claims (elections) this node made.
 */
import { Counter, type Registry } from 'prom-client'
import { mirrorCounter, readGauge } from '../util/metrics.js'
import type { RoleManager } from './role-manager.js'

export function registerRoleMetrics(
  registry: Registry,
  roles: Pick<RoleManager, 'state' | 'stats' | 'addEventListener'>,
  self: { readonly peerId: string },
  signal: AbortSignal,
): void {
  readGauge(registry, 'patternmesh_roles_term', 'The current term as this node knows it.', () => {
    return roles.state().term
  })
  readGauge(
    registry,
    'patternmesh_roles_is_principal',
    '1 while this node is the principal, else 0.',
    () => (roles.state().principal === self.peerId ? 1 : 0),
  )
  const changes = new Counter({
    name: 'patternmesh_roles_principal_changes_total',
    help: 'Times the principal this node follows changed (a new term, a step-down, a hand-over).',
    registers: [registry],
  })
  roles.addEventListener('roles.principal-changed', () => changes.inc(), { signal })
  mirrorCounter(
    registry,
    'patternmesh_roles_claims_sent_total',
    'Principal claims this node published (elections it stood in).',
    () => roles.stats().claimsSent,
  )
  mirrorCounter(
    registry,
    'patternmesh_roles_claims_adopted_total',
    "Members' claims this node adopted.",
    () => roles.stats().claimsAdopted,
  )
  mirrorCounter(
    registry,
    'patternmesh_roles_claims_refused_total',
    'Claims this node refused (a lighter or stale claimant).',
    () => roles.stats().refusedClaims + roles.stats().staleClaims,
  )
  mirrorCounter(
    registry,
    'patternmesh_roles_split_brains_total',
    'Two principals seen at once in one term.',
    () => roles.stats().splitBrains,
  )
}
