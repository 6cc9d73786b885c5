/**
 * Applying a key's value on this node: CONFIG through MeshNode.applyConfig (logLevel also on
 * the logger), ROLE through RoleManager.setWeight / setEligible, UPDATE by storing the value
 * and calling the application's handlers (a handler that throws rejects the advice).
 */
import type { Logger } from 'pino'
import { validateMergedConfig, type MeshConfig } from '../config/index.js'
import type { LiveConfig } from '../node/ports.js'
import type { RoleManager } from '../roles/index.js'

export interface UpdateEvent {
  key: string
  value: unknown
  adviceId: string
}

/** An application's handler of UPDATE advice: throw (or reject) to refuse it. */
export type UpdateHandler = (update: UpdateEvent) => void | Promise<void>

export interface ApplyTarget {
  node: LiveConfig
  roles: Pick<RoleManager, 'setWeight' | 'setEligible'> | undefined
  logger: Logger | undefined
  handlers: readonly UpdateHandler[]
  updates: Map<string, { value: unknown; adviceId: string }>
  eligible: { value: boolean }
}

/** The value `key` has on this node now (what a first advice on it records as its baseline). */
export function currentValue(target: ApplyTarget, key: string): unknown {
  const [kind, name = ''] = splitKey(key)
  if (kind === 'config')
    return (target.node.config as unknown as Record<string, unknown>)[name] ?? null
  if (key === 'role:weight') return target.node.config.weight
  if (key === 'role:eligible') return target.eligible.value
  return target.updates.get(name)?.value ?? null
}

/** Applies `values` (key → value) from advice `adviceId`; throws with the reason it refused. */
export async function applyValues(
  target: ApplyTarget,
  values: Record<string, unknown>,
  adviceId: string,
): Promise<void> {
  const config: Record<string, unknown> = {}
  for (const [key, value] of Object.entries(values)) {
    const [kind, name = ''] = splitKey(key)
    if (kind === 'config' && value !== null) config[name] = value
  }
  if (Object.keys(config).length > 0) {
    // Rules across keys (deadAfter ≥ suspectAfter, …) on the config as it would become.
    validateMergedConfig({ ...target.node.config, ...config } as MeshConfig)
    target.node.applyConfig(config as Partial<MeshConfig>)
    if (typeof config['logLevel'] === 'string' && target.logger !== undefined)
      target.logger.level = config['logLevel']
  }
  if (values['role:weight'] !== undefined && values['role:weight'] !== null) {
    const weight = values['role:weight'] as number
    if (target.roles !== undefined) target.roles.setWeight(weight)
    else target.node.applyConfig({ weight })
  }
  if (typeof values['role:eligible'] === 'boolean') {
    target.eligible.value = values['role:eligible']
    target.roles?.setEligible(values['role:eligible'])
  }
  for (const [key, value] of Object.entries(values)) {
    const [kind, name = ''] = splitKey(key)
    if (kind !== 'update') continue
    for (const handler of target.handlers) await handler({ key: name, value, adviceId })
    target.updates.set(name, { value, adviceId })
  }
}

function splitKey(key: string): [string, string | undefined] {
  const at = key.indexOf(':')
  return [key.slice(0, at), key.slice(at + 1)]
}
