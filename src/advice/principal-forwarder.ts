/**
 * A request taken by a node that is not the principal, forwarded to the principal: over the
 * relay protocol when connected to it; otherwise (a k-peer mesh where the principal is no
 * neighbour, or the direct request failed) as a `relay` control frame over gossip, waiting
 * for the stamped advice to arrive by broadcast.
 */
import { peerIdFromString } from '@libp2p/peer-id'
import type { Logger } from 'pino'
import type { ControlChannel, Libp2pSurface, LiveConfig } from '../node/ports.js'
import { encodeJsonPayload } from '../protocol/json-payload.js'
import { NoPrincipalError } from './errors.js'
import type { AdviceRelay, RelayedRequest } from './relay.js'
import type { Advice } from './types.js'

export interface PrincipalForwarderComponents {
  node: Pick<LiveConfig, 'config'> &
    Pick<ControlChannel, 'sendControl'> & { readonly libp2p: Libp2pSurface }
  /** The relay protocol's client (there once the service started). */
  relay: () => AdviceRelay | undefined
  /** Stores the stamped advice the principal answered with; resolves with the copy held here. */
  accept: (advice: Advice) => Promise<Advice>
  logger?: Logger | undefined
}

export class PrincipalForwarder {
  private readonly c: PrincipalForwarderComponents
  /** Requests relayed over gossip, waiting for their stamped advice. */
  private readonly waiting = new Map<string, (advice: Advice) => void>()

  constructor(components: PrincipalForwarderComponents) {
    this.c = components
  }

  /** Resolves once the stamped advice is persisted here; NoPrincipalError on timeout. */
  async forward(principal: string, relayed: RelayedRequest): Promise<Advice> {
    const node = this.c.node
    if (node.libp2p.getConnections(peerIdFromString(principal)).length > 0) {
      try {
        const stamped = await this.c.relay()!.relay(principal, relayed)
        return await this.c.accept(stamped)
      } catch (err) {
        this.c.logger?.debug({ err }, 'direct relay failed; relaying over gossip')
      }
    }
    const timeoutMs = node.config.timeoutMs
    let timer: ReturnType<typeof setTimeout> | undefined
    const arrived = new Promise<Advice>((resolve, reject) => {
      this.waiting.set(relayed.id, resolve)
      timer = setTimeout(
        () =>
          reject(
            new NoPrincipalError(`no stamped advice from ${principal} within ${timeoutMs} ms`),
          ),
        timeoutMs,
      )
    })
    try {
      await node.sendControl('advice', encodeJsonPayload({ relay: relayed }))
      return await arrived
    } finally {
      clearTimeout(timer)
      this.waiting.delete(relayed.id)
    }
  }

  /** An advice was stored here: the request waiting for it, if any, resolves. */
  arrived(advice: Advice): void {
    this.waiting.get(advice.id)?.(advice)
  }
}
