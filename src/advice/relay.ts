/**
 * `/patternmesh/advice-relay/1.0.0`: a node that takes a request and is not the principal
 * sends it to the principal, which stamps it, persists it, broadcasts it and answers with the
 * stamped advice. Requests and answers are authenticated with the network key.
 */
import type { Libp2p } from '@libp2p/interface'
import { peerIdFromString } from '@libp2p/peer-id'
import type { Logger } from 'pino'
import { requestOnce, serveRequests } from '../rpc/request-response.js'
import { openMessage, sealMessage, type StepKeys } from './auth.js'
import { ADVICE_RELAY_PROTOCOL, MAX_SYNC_BYTES } from './constants.js'
import { NoPrincipalError } from './errors.js'
import { isAdvice } from './record-schema.js'
import type { Advice, AdviceRequest } from './types.js'

export interface RelayedRequest {
  id: string
  origin: string
  request: AdviceRequest
  rollbackOf?: string
}

type RelayAnswer = { ok: true; advice: Advice } | { ok: false; code: string; message: string }

export interface AdviceRelayComponents {
  libp2p: Pick<Libp2p, 'dialProtocol' | 'handle' | 'unhandle'>
  keys: StepKeys
  step: () => number
  timeoutMs: () => number
  /** The principal's side: stamp (throws NoPrincipalError when not principal). */
  stamp: (request: RelayedRequest) => Promise<Advice>
  logger?: Logger | undefined
}

export class AdviceRelay {
  private readonly c: AdviceRelayComponents

  constructor(components: AdviceRelayComponents) {
    this.c = components
  }

  async start(): Promise<void> {
    await serveRequests(this.c.libp2p, ADVICE_RELAY_PROTOCOL, (req) => this.serve(req), {
      timeoutMs: this.c.timeoutMs(),
      maxRequestBytes: MAX_SYNC_BYTES,
      onError: (err, peer) => this.c.logger?.debug({ err, peer }, 'advice relay serve'),
    })
  }

  async stop(): Promise<void> {
    await this.c.libp2p.unhandle(ADVICE_RELAY_PROTOCOL).catch(() => undefined)
  }

  /** Sends `request` to `principal`; the stamped advice, or NoPrincipalError. */
  async relay(principal: string, request: RelayedRequest): Promise<Advice> {
    let answer: unknown
    try {
      const bytes = await requestOnce(
        this.c.libp2p,
        peerIdFromString(principal),
        ADVICE_RELAY_PROTOCOL,
        sealMessage(this.c.keys, this.c.step(), request),
        { timeoutMs: this.c.timeoutMs(), maxResponseBytes: MAX_SYNC_BYTES },
      )
      answer = openMessage(this.c.keys, this.c.step(), bytes)?.value
    } catch (err) {
      throw new NoPrincipalError(`principal ${principal} unreachable: ${(err as Error).message}`, {
        cause: err,
      })
    }
    const a = answer as RelayAnswer | undefined
    if (a?.ok === true && isAdvice(a.advice)) return a.advice
    throw new NoPrincipalError(
      a?.ok === false ? `principal refused: ${a.message}` : 'principal gave no valid answer',
    )
  }

  private async serve(bytes: Uint8Array): Promise<Uint8Array> {
    const opened = openMessage(this.c.keys, this.c.step(), bytes)
    if (opened === undefined) throw new Error('unauthenticated relay request')
    const request = opened.value as RelayedRequest
    let answer: RelayAnswer
    try {
      answer = { ok: true, advice: await this.c.stamp(request) }
    } catch (err) {
      const e = err as { code?: string; message?: string }
      answer = { ok: false, code: e.code ?? 'ERROR', message: e.message ?? String(err) }
    }
    // Under the key it asked with: it may not hold our primary yet (or any more).
    return sealMessage(this.c.keys, this.c.step(), answer, opened.keyId)
  }
}
