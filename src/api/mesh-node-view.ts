/**
 * The API's view of a MeshNode: its messaging surface, plus the member table, the role state
 * and the component events (membership, roles) mapped to the shapes of DESIGN §8.
 */
import type { Member } from '../membership/index.js'
import type { MeshPeer } from '../peer/mesh-peer.js'
import { ObserverModeError, type Anomaly, type MeshObserver } from '../observer/index.js'
import type { ApiAdvice, ApiEvent, ApiNode, PeerView } from './types.js'
import { NotStartedError } from '../errors.js'

export function meshNodeView(node: MeshPeer, extra: Partial<ApiNode> = {}): ApiNode {
  const view: ApiNode = {
    get peerId() {
      return node.peerId
    },
    get step() {
      return node.step
    },
    get isStarted() {
      return node.isStarted
    },
    config: node.config,
    connectedPeers: () => node.connectedPeers(),
    stats: () => node.stats(),
    // An observer never publishes data (DESIGN §7): refused here, before the node.
    broadcast: async (data) => {
      if (node.config.observer) throw new ObserverModeError()
      return await node.broadcast(data)
    },
    whenReady: async () => await node.whenReady(),
    peerMetrics: async () => await node.metrics.text(),
    addEventListener: (type, listener) => node.addEventListener(type, listener),
    removeEventListener: (type, listener) => node.removeEventListener(type, listener),
    ...(node.members !== undefined
      ? {
          memberViews: () => {
            const open = connectedSet(node)
            return (
              node.members
                ?.members()
                .map((member) => ({ ...peerViewOf(member), connected: open.has(member.id) })) ?? []
            )
          },
          roleState: () => {
            const state = node.roles?.state()
            return {
              term: state?.term ?? 0,
              principal: state?.principal ?? null,
              roles: state?.roles ?? [],
            }
          },
        }
      : {}),
    ...(node.observer !== undefined ? observerProviders(node.observer) : {}),
    ...(node.members !== undefined || node.observer !== undefined
      ? {
          subscribeEvents: (listener: (event: ApiEvent) => void) =>
            subscribeComponentEvents(node, listener),
        }
      : {}),
    ...(node.advice !== undefined ? { advice: adviceProvider(node) } : {}),
    ...(node.keyring !== undefined ? { keys: node.keyring } : {}),
    ...deliveryProviders(node),
    ...extra,
  }
  return view
}

/** The advice routes' view of the node's AdviceService (the one of the current start). */
function adviceProvider(node: MeshPeer): ApiAdvice {
  const service = (): NonNullable<MeshPeer['advice']> => {
    const advice = node.advice
    if (advice === undefined) throw new NotStartedError()
    return advice
  }
  return {
    list: () => node.advice?.list() ?? [],
    get: (id) => node.advice?.get(id),
    issue: async (request, meta) => await service().issue(request, meta),
    rollback: async (id, ttlMs, meta) => await service().rollback(id, ttlMs, meta),
  }
}

/** The message log and directed messages of the node's current start. */
function deliveryProviders(node: MeshPeer): Pick<ApiNode, 'messageLog' | 'direct'> {
  const direct = (): NonNullable<MeshPeer['direct']> => {
    const service = node.direct
    if (service === undefined) throw new NotStartedError()
    return service
  }
  const log = (): NonNullable<MeshPeer['messageLog']> => {
    const service = node.messageLog
    if (service === undefined) throw new NotStartedError()
    return service
  }
  return {
    messageLog: { read: (after, limit) => log().read(after, limit), stats: () => log().stats() },
    direct: {
      send: async (to, data, options) => await direct().send(to, data, options),
      broadcastAcked: async (data, ack, options) =>
        await direct().broadcastAcked(data, ack, options),
    },
  }
}

function connectedSet(node: MeshPeer): ReadonlySet<string> {
  try {
    return new Set(node.connectedPeers())
  } catch {
    return new Set() // not started
  }
}

export function peerViewOf(member: Member): PeerView {
  return {
    peerId: member.id,
    status: member.status,
    weight: member.weight,
    roles: member.roles,
    step: member.step,
    lastSeen: member.lastSeen,
    observer: member.observer,
    heartbeatIntervalMs: member.intervalMs,
  }
}

function observerProviders(observer: MeshObserver): Partial<ApiNode> {
  return {
    anomalies: () => observer.anomalies(),
    anomalyTotals: () => observer.stats().totals,
    networkMetrics: () => observer.networkMetrics(),
    peerStats: () => observer.peerStats(),
    droppedWhileGraylisted: (peerId) => observer.droppedWhileGraylisted(peerId),
    droppedWhileGraylistedTotal: () => observer.stats().droppedWhileGraylisted,
  }
}

/** Membership, role and observer events as `/v1/events` frames (`member`, `role`, `anomaly`). */
function subscribeComponentEvents(node: MeshPeer, listener: (event: ApiEvent) => void): () => void {
  const members = node.members
  const roles = node.roles
  const observer = node.observer
  const onAnomaly = (event: CustomEvent<Anomaly>): void => {
    listener({ type: 'anomaly', ...event.detail })
  }
  const onStatus = (
    event: CustomEvent<{ peerId: string; status: string; previous: string }>,
  ): void => {
    const { peerId, status, previous } = event.detail
    listener({ type: 'member', peerId, change: 'status', status, previous })
  }
  const onJoined = (event: CustomEvent<{ peerId: string }>): void => {
    listener({ type: 'member', peerId: event.detail.peerId, change: 'joined', status: 'alive' })
  }
  const onPrincipal = (
    event: CustomEvent<{ principal: string | null; term: number; previous: string | null }>,
  ): void => {
    const { principal, term, previous } = event.detail
    listener({ type: 'role', principal, term, previous })
  }
  members?.addEventListener('members.status-changed', onStatus)
  members?.addEventListener('members.joined', onJoined)
  roles?.addEventListener('roles.principal-changed', onPrincipal)
  observer?.addEventListener('observer.anomaly', onAnomaly)
  return () => {
    observer?.removeEventListener('observer.anomaly', onAnomaly)
    members?.removeEventListener('members.status-changed', onStatus)
    members?.removeEventListener('members.joined', onJoined)
    roles?.removeEventListener('roles.principal-changed', onPrincipal)
  }
}
