import { DEFAULT_CONFIG, mergeConfig, type MeshConfig } from '../../src/config/index.js'
import {
  MeshPeer as MeshNode,
  type MeshPeerInit as MeshNodeInit,
} from '../../src/peer/mesh-peer.js'

let memoryCounter = 0

/** Config for in-process test meshes: loopback or memory, mDNS off, fast timings. */
export function testConfig(overrides: Partial<MeshConfig> = {}): MeshConfig {
  return mergeConfig(DEFAULT_CONFIG, {
    meshId: 'test',
    seed: 'test-mesh',
    dataDir: '/nonexistent',
    listen: ['/ip4/127.0.0.1/tcp/0'],
    mdns: false,
    stepIntervalMs: 1000,
    heartbeatIntervalMs: 200,
    syncTimeout: 2000,
    timeoutMs: 3000,
    ...overrides,
  })
}

/** Starts nodes and remembers them, so a test's afterEach stops every one. */
export class MeshFixture {
  readonly nodes: MeshNode[] = []

  async node(
    overrides: Partial<MeshConfig> = {},
    init: Partial<MeshNodeInit> = {},
  ): Promise<MeshNode> {
    const transport = init.transport ?? 'tcp'
    const listen =
      transport === 'memory' ? [`/memory/pm-test-${process.pid}-${memoryCounter++}`] : undefined
    const node = new MeshNode({
      config: testConfig({ ...(listen !== undefined ? { listen } : {}), ...overrides }),
      transport,
      // The messaging layer alone unless a test asks for membership and roles.
      services: { membership: false },
      ...init,
    })
    this.nodes.push(node)
    await node.start()
    return node
  }

  async stopAll(): Promise<void> {
    await Promise.all(this.nodes.splice(0).map(async (node) => await node.stop()))
  }
}

/** Dials b from a and waits for gossipsub to see each other on both topics. */
export async function connect(a: MeshNode, b: MeshNode): Promise<void> {
  await a.libp2p.dial(b.libp2p.getMultiaddrs()[0]!, { signal: AbortSignal.timeout(5000) })
}

export function subscribersOf(node: MeshNode, topic: string): string[] {
  return node.libp2p.services.pubsub.getSubscribers(topic).map((p) => p.toString())
}
