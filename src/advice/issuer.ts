/**
 * Issuing: a request taken here (issue, rollback) is stamped here when this node is the
 * principal (or runs without roles), else forwarded to the principal; either way it is
 * audited. The principal's side stamps (stamp.ts), persists before anyone hears of it,
 * broadcasts, and evaluates it as a target like any node.
 */
import { randomUUID } from 'node:crypto'
import type { Logger } from 'pino'
import type { Membership } from '../membership/index.js'
import type { ControlChannel, NodeIdentity } from '../node/ports.js'
import { encodeJsonPayload } from '../protocol/json-payload.js'
import type { RoleManager } from '../roles/index.js'
import type { AuditTrail, IssueMeta } from './audit.js'
import { AdviceNotFoundError, InvalidAdviceError, NoPrincipalError } from './errors.js'
import { isRelayFrame } from './frames.js'
import type { IngestQueue } from './ingest-queue.js'
import type { PrincipalForwarder } from './principal-forwarder.js'
import type { AdviceRecorder } from './recorder.js'
import type { RelayedRequest } from './relay.js'
import { resolveRelayed, rollbackRequest, stampAdvice, targetMembers } from './stamp.js'
import type { AdviceState } from './state.js'
import type { Advice, AdviceRequest } from './types.js'
import { validateAdviceRequest } from './validate.js'

export interface AdviceIssuerComponents {
  node: NodeIdentity & Pick<ControlChannel, 'sendControl'>
  /** Without roles this node stamps its own advice (term 0). */
  roles?: Pick<RoleManager, 'principal' | 'term' | 'isPrincipal' | 'roles'> | undefined
  members?: Pick<Membership, 'members'> | undefined
  state: AdviceState
  recorder: Pick<AdviceRecorder, 'ingestAdvice' | 'evaluateIfTarget'>
  queue: Pick<IngestQueue, 'enqueue'>
  forwarder: Pick<PrincipalForwarder, 'forward'>
  trail: Pick<AuditTrail, 'record' | 'watch'>
  now: () => number
  logger?: Logger | undefined
}

export class AdviceIssuer {
  private readonly c: AdviceIssuerComponents

  constructor(components: AdviceIssuerComponents) {
    this.c = components
  }

  /** Takes a request; resolves with the stamped advice once it is persisted here and at the principal. */
  async issue(request: unknown, meta?: IssueMeta): Promise<Advice> {
    let valid: AdviceRequest
    try {
      valid = validateAdviceRequest(request)
    } catch (err) {
      await this.c.trail.record(
        meta,
        'issue',
        undefined,
        request,
        `refused: ${(err as Error).message}`,
      )
      throw err
    }
    return await this.submit(
      { id: randomUUID(), origin: this.c.node.peerId, request: valid },
      meta,
      'issue',
    )
  }

  /** A new advice restoring, on every target, what `id` replaced. */
  async rollback(id: string, ttlMs: number, meta?: IssueMeta): Promise<Advice> {
    const original = this.c.state.advice.get(id)
    if (original === undefined) throw new AdviceNotFoundError(id)
    return await this.submit(
      {
        id: randomUUID(),
        origin: this.c.node.peerId,
        request: rollbackRequest(original, ttlMs),
        rollbackOf: id,
      },
      meta,
      'rollback',
    )
  }

  /** The principal's side: stamp, persist, broadcast. */
  async stamp(relayed: RelayedRequest): Promise<Advice> {
    const roles = this.c.roles
    if (roles !== undefined && !roles.isPrincipal)
      throw new NoPrincipalError(
        `not the principal (the principal is ${roles.principal ?? 'unknown'})`,
      )
    if (!isRelayFrame({ relay: relayed })) throw new InvalidAdviceError('malformed relayed request')
    const held = this.c.state.advice.get(relayed.id)
    if (held !== undefined) {
      // A retry (the answer to the first request was lost): broadcast it again for the origin.
      this.broadcast(held)
      return held
    }
    const node = this.c.node
    const asked = resolveRelayed(relayed, this.c.state.advice)
    const advice = stampAdvice(relayed, asked, {
      self: node.peerId,
      term: roles?.term ?? 0,
      step: node.step,
      now: this.c.now(),
      known: this.c.state.known,
      members: targetMembers(
        { peerId: node.peerId, roles: roles?.roles ?? ['member'], alive: true },
        this.c.members?.members() ?? [],
      ),
    })
    // Durable before anyone hears of it: an acknowledged advice survives a kill -9.
    await this.c.recorder.ingestAdvice(advice, false)
    this.broadcast(advice)
    void this.c.queue.enqueue(async () => await this.c.recorder.evaluateIfTarget(advice))
    return advice
  }

  private async submit(
    relayed: RelayedRequest,
    meta: IssueMeta | undefined,
    event: 'issue' | 'rollback',
  ): Promise<Advice> {
    const roles = this.c.roles
    let advice: Advice
    try {
      if (roles === undefined || roles.isPrincipal) advice = await this.stamp(relayed)
      else {
        const principal = roles.principal
        if (principal === null) throw new NoPrincipalError('no principal is known yet; retry')
        advice = await this.c.forwarder.forward(principal, relayed)
      }
    } catch (err) {
      await this.c.trail.record(
        meta,
        event,
        relayed.id,
        relayed,
        `failed: ${(err as Error).message}`,
      )
      throw err
    }
    await this.c.trail.record(meta, event, advice.id, relayed, 'stamped', {
      issuer: advice.issuer,
      term: advice.term,
    })
    if (meta !== undefined) this.c.trail.watch(advice, meta)
    return advice
  }

  private broadcast(advice: Advice): void {
    this.c.node.sendControl('advice', encodeJsonPayload(advice)).catch((err: unknown) => {
      this.c.logger?.debug({ err }, 'advice broadcast failed; anti-entropy will carry it')
    })
  }
}
