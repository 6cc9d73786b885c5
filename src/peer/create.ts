/** The library's factory: a MeshPeer from a partial config, checked like a config file. */
import {
  DEFAULT_CONFIG,
  validateConfigLayer,
  validateMergedConfig,
  type MeshConfig,
} from '../config/index.js'
import { ConfigError } from '../errors.js'
import { MeshPeer } from './mesh-peer.js'
import type { MeshPeerInit } from './types.js'

export interface CreateMeshPeerInit extends Omit<MeshPeerInit, 'config'> {
  /**
   * Config keys over the defaults (DEFAULT_CONFIG). Unknown keys and wrong types throw a
   * ConfigError naming the key. The network key comes as `networkKey` (32 bytes, e.g. from
   * `readNetworkKeyFile(path)`), or as `config.seed` for development only.
   */
  config?: Partial<MeshConfig>
}

/** A peer with every service (membership, roles, advice, observer); call `start()`. */
export function createMeshPeer(init: CreateMeshPeerInit = {}): MeshPeer {
  const { config = {}, ...rest } = init
  const layer = validateConfigLayer(config, 'config')
  if (layer.keyFile !== undefined && init.networkKey === undefined) {
    throw new ConfigError(
      'config.keyFile is read by the daemon; a library passes networkKey: await readNetworkKeyFile(path)',
      'keyFile',
    )
  }
  const merged: MeshConfig = { ...DEFAULT_CONFIG, ...definedOnly(layer) }
  const networkKeyGiven = init.networkKey !== undefined
  return new MeshPeer({ ...rest, config: validateMergedConfig(merged, { networkKeyGiven }) })
}

function definedOnly(layer: Partial<MeshConfig>): Partial<MeshConfig> {
  return Object.fromEntries(Object.entries(layer).filter(([, v]) => v !== undefined))
}
