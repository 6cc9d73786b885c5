/**
 * Attackers for simulations: each is a real libp2p node in the mesh that sends what an
 * attacker would, so every defence runs for real (gossipsub signatures, the topic validator,
 * the observer). Each returns a stop function; all loops are bounded by their duration.
 */
import type { Message } from '@libp2p/gossipsub'
import type { SimNode } from '../sim-node.js'
import { PatternGenerator } from '../../pattern/index.js'
import { encodeBatch, sealEnvelope } from '../../protocol/index.js'
import type { AttackerKind } from '../scenario.js'

/** The anomaly code each attacker must be caught with. */
export const EXPECTED_DETECTION: Readonly<Record<AttackerKind, string>> = {
  forger: 'PATTERN_MISMATCH',
  tamperer: 'TAG_MISMATCH',
  replayer: 'REPLAY',
  'step-manipulator': 'STEP_SKEW',
  flooder: 'FLOOD',
  malformed: 'MALFORMED',
}

export interface AttackContext {
  /** The attacker's own node: a mesh member by its transport, not by its frames. */
  node: SimNode
  /** The mesh's generator (attackers other than the forger know the network key). */
  meshGenerator: PatternGenerator
  rate: number
  durationMs: number
}

/**
 * libp2p options of an attacking node: it keeps publishing to peers whatever their score in
 * its own view (an attacker ignores that the honest mesh's frames fail its checks).
 */
export const ATTACKER_LIBP2P = {
  gossipsub: {
    scoreThresholds: {
      gossipThreshold: -1e9,
      publishThreshold: -1e9,
      graylistThreshold: -1e9,
      acceptPXThreshold: 10,
      opportunisticGraftThreshold: 20,
    },
  },
}

/**
 * A flooder sends 50 gossip messages a second of 20 valid frames each: 1,000 frames/s, far
 * above honest traffic, yet cheap enough in gossip messages (each costs every node an ed25519
 * verify) that an in-process mesh stays responsive.
 */
const FLOOD_MESSAGES_PER_SECOND = 50
const FLOOD_FRAMES_PER_MESSAGE = 20

export function startAttack(kind: AttackerKind, ctx: AttackContext): () => void {
  const pubsub = ctx.node.libp2p.services.pubsub
  const topic = ctx.node.topics.data
  const publish = (frames: Uint8Array[]): void => {
    pubsub.publish(topic, encodeBatch(frames)).catch(() => undefined)
  }
  let seq = Date.now() * 1000
  const sealed = (generator: PatternGenerator, step: number, data: string): Buffer =>
    sealEnvelope(generator, {
      kind: 'data',
      senderId: ctx.node.peerId,
      globalStep: step,
      seq: seq++,
      timestamp: Date.now(),
      data: Buffer.from(data),
    })

  if (kind === 'replayer') return startReplayer(ctx, publish)
  const forgerKey = new PatternGenerator({ seed: `forger-${ctx.node.peerId}` })
  const rate = kind === 'flooder' ? FLOOD_MESSAGES_PER_SECOND : ctx.rate
  const send = (): void => {
    const step = ctx.node.step
    if (kind === 'forger') publish([sealed(forgerKey, step, 'forged')])
    else if (kind === 'tamperer') {
      const frame = sealed(ctx.meshGenerator, step, 'pay 10')
      frame[frame.length - 17] = frame[frame.length - 17]! ^ 0x01 // the last data byte
      publish([frame])
    } else if (kind === 'step-manipulator')
      publish([sealed(ctx.meshGenerator, step + 1_000, 'from the future')])
    else if (kind === 'flooder') {
      publish(
        Array.from({ length: FLOOD_FRAMES_PER_MESSAGE }, () =>
          sealed(ctx.meshGenerator, step, 'flood'),
        ),
      )
    } else publish([Buffer.from([0x50, 1, 0, 1, 0, 0, 0, 9, 1, 2, 3, 4, 5, 6, 7, 8, 9])])
  }
  return every(rate, ctx.durationMs, send)
}

/** Captures honest gossip messages for a moment, then republishes them under its own name. */
function startReplayer(ctx: AttackContext, publish: (frames: Uint8Array[]) => void): () => void {
  const pubsub = ctx.node.libp2p.services.pubsub
  const captured: Uint8Array[] = []
  const onMessage = (event: CustomEvent<Message>): void => {
    if (event.detail.topic === ctx.node.topics.data && captured.length < 64)
      captured.push(event.detail.data)
  }
  pubsub.addEventListener('message', onMessage)
  let next = 0
  const stopSending = every(ctx.rate, ctx.durationMs, () => {
    const batch = captured[next++ % Math.max(1, captured.length)]
    // The raw batch as it was gossiped: its frames are authentic, and already seen.
    if (batch !== undefined) pubsub.publish(ctx.node.topics.data, batch).catch(() => undefined)
  })
  void publish
  return () => {
    stopSending()
    pubsub.removeEventListener('message', onMessage)
  }
}

/**
 * Calls `fn` `rate` times a second for `durationMs`; returns a stop function. Calls that fell
 * due while the event loop was stalled are made when it wakes: a loaded machine delays an
 * attack but never skips it (a stall longer than the attack once made it send nothing).
 */
export function every(rate: number, durationMs: number, fn: () => void): () => void {
  const started = Date.now()
  const total = Math.max(1, Math.ceil((durationMs / 1000) * rate))
  let sent = 0
  let timer: NodeJS.Timeout | undefined
  const tick = (): void => {
    const elapsed = Math.min(Date.now() - started, durationMs)
    const due = Math.min(total, Math.floor((elapsed / 1000) * rate) + 1)
    for (; sent < due; sent++) fn()
    if (elapsed >= durationMs) clearInterval(timer)
  }
  // The first call at once: an attack that starts always sends, however soon it is stopped.
  tick()
  if (sent < total) timer = setInterval(tick, 10)
  return () => clearInterval(timer)
}
