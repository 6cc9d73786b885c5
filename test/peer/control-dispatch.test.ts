/**
 * Typed control dispatch: each service's handler checks its payload inside gossipsub's
 * validator, so a malformed control frame is rejected at the first hop — not delivered, not
 * forwarded, scored against its signer — while well-formed ones pass on.
 */
import { afterEach, describe, expect, it } from 'vitest'
import type { FrameVerdictDetail } from '../../src/node/index.js'
import type { ControlKind } from '../../src/node/ports.js'
import type { MeshPeer } from '../../src/peer/mesh-peer.js'
import { MeshFixture, connect, subscribersOf } from '../helpers/mesh.js'
import { until } from '../helpers/until.js'

const fixture = new MeshFixture()
afterEach(async () => await fixture.stopAll())

/** a — b — c in a line, membership and roles running, so every control kind has its handler. */
async function line(): Promise<[MeshPeer, MeshPeer, MeshPeer]> {
  const services = { services: {} }
  const [a, b, c] = [
    await fixture.node({}, services),
    await fixture.node({}, services),
    await fixture.node({}, services),
  ]
  await connect(a, b)
  await connect(c, b)
  await until(() => subscribersOf(b, b.topics.control).length === 2, {
    message: 'b sees a and c subscribed',
  })
  await Promise.all([a.whenReady(), b.whenReady(), c.whenReady()])
  return [a, b, c]
}

function verdictsFrom(node: MeshPeer, sender: string): FrameVerdictDetail[] {
  const seen: FrameVerdictDetail[] = []
  node.addEventListener('verdict', (event) => {
    if (event.detail.result.envelope?.senderId === sender) seen.push(event.detail)
  })
  return seen
}

describe.each<ControlKind>(['heartbeat', 'role-claim', 'advice', 'advice-status'])(
  'a malformed %s frame',
  (kind) => {
    it('is rejected at the first hop: not forwarded, scored against its signer', async () => {
      const [a, b, c] = await line()
      const atB = verdictsFrom(b, a.peerId)
      const atC = verdictsFrom(c, a.peerId)
      const bad = await a.sendControl(kind, Buffer.from('{"not":"a valid payload"'))

      await until(() => atB.some((v) => v.result.envelope?.seq === bad.seq), {
        message: `b's verdict on the malformed ${kind}`,
      })
      const verdict = atB.find((v) => v.result.envelope?.seq === bad.seq)!
      expect(verdict.result.verdict).toBe('reject')
      expect(verdict.result.code).toBe('MALFORMED')
      await until(() => b.libp2p.services.pubsub.getScore(a.peerId) < 0, {
        message: "a's score at b below 0",
      })

      // Frames go b → c in order: once c has a later frame of a's, the bad one would be there.
      const later = await a.sendControl('step-sync', new Uint8Array(0))
      await until(() => atC.some((v) => v.result.envelope?.seq === later.seq), {
        message: "c gets a's next frame through b",
      })
      expect(atC.some((v) => v.result.envelope?.seq === bad.seq)).toBe(false)
    })
  },
)
