/** In-process meshes with roles and an AdviceService on every node (attached from outside). */
import {
  AdviceService,
  MemoryAdviceStore,
  type AdviceServiceInit,
  type AdviceStore,
} from '../../src/advice/index.js'
import {
  RolesFixture,
  fullMesh,
  startServices,
  untilPrincipal,
  type RoleNode,
  type RoleNodeOptions,
} from '../helpers/roles-mesh.js'
import { until } from '../helpers/until.js'

export interface AdviceNode extends RoleNode {
  advice: AdviceService
  adviceStore: AdviceStore
}

export class AdviceFixture {
  readonly roles = new RolesFixture()
  readonly all: AdviceNode[] = []

  async create(
    options: RoleNodeOptions & { adviceStore?: AdviceStore; advice?: AdviceServiceInit } = {},
  ): Promise<AdviceNode> {
    const roleNode = await this.roles.create({ ...options, startServices: false })
    const adviceStore = options.adviceStore ?? new MemoryAdviceStore()
    const advice = new AdviceService(
      {
        node: roleNode.node,
        roles: roleNode.roles,
        members: roleNode.membership,
        store: adviceStore,
      },
      options.advice,
    )
    const node: AdviceNode = { ...roleNode, advice, adviceStore }
    this.all.push(node)
    return node
  }

  /** `weights.length` nodes, full mesh, services started, the heaviest elected. */
  async mesh(weights: number[], options: RoleNodeOptions = {}): Promise<AdviceNode[]> {
    const nodes = await Promise.all(
      weights.map(async (weight) => await this.create({ ...options, weight })),
    )
    await fullMesh(nodes)
    await Promise.all(nodes.map(async (n) => await startAll(n)))
    const heaviest = [...nodes].sort((a, b) => b.weight - a.weight)[0]!
    await untilPrincipal(nodes, heaviest, 10_000)
    return nodes
  }

  async stop(node: AdviceNode): Promise<void> {
    await node.advice.stop()
    await this.roles.stop(node)
  }

  async stopAll(): Promise<void> {
    await Promise.all(this.all.splice(0).map(async (n) => await n.advice.stop()))
    await this.roles.stopAll()
  }
}

export async function startAll(node: AdviceNode): Promise<void> {
  await startServices(node)
  await node.advice.start()
}

/** Waits until `id` has a result from every target in `nodes`, as `at` sees it. */
export async function untilResults(
  at: AdviceNode,
  id: string,
  count: number,
  timeout = 5_000,
): Promise<void> {
  await until(
    () => (at.advice.get(id)?.results.filter((r) => r.status !== 'pending').length ?? 0) >= count,
    {
      timeout,
      message: `${count} results of ${id}`,
    },
  )
}
