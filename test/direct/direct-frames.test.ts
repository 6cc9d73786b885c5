import { peerIdFromString } from '@libp2p/peer-id'
import { afterEach, describe, expect, it } from 'vitest'
import { DIRECT_PROTOCOL } from '../../src/direct/constants.js'
import {
  decodeAnswer,
  encodeRequest,
  REQUEST_MESSAGE,
  type DirectAnswer,
} from '../../src/direct/direct-codec.js'
import type { FrameVerdictDetail, MeshMessage } from '../../src/node/index.js'
import { PatternGenerator } from '../../src/pattern/index.js'
import type { MeshPeer } from '../../src/peer/mesh-peer.js'
import { sealEnvelope } from '../../src/protocol/index.js'
import { requestOnce } from '../../src/rpc/request-response.js'
import { MeshFixture, connect } from '../helpers/mesh.js'

const fixture = new MeshFixture()
afterEach(async () => await fixture.stopAll())

let nextSeq = Date.now() * 1000 + 500_000_000

function frameOf(
  node: MeshPeer,
  data: string,
  options: { generator?: PatternGenerator; senderId?: string; seq?: number } = {},
): Buffer {
  return sealEnvelope(options.generator ?? node.generator, {
    kind: 'data',
    senderId: options.senderId ?? node.peerId,
    globalStep: node.step,
    seq: options.seq ?? nextSeq++,
    timestamp: Date.now(),
    data: Buffer.from(data),
  })
}

async function post(from: MeshPeer, to: MeshPeer, frame: Uint8Array): Promise<DirectAnswer> {
  const answer = await requestOnce(
    from.libp2p,
    peerIdFromString(to.peerId),
    DIRECT_PROTOCOL,
    encodeRequest(REQUEST_MESSAGE, frame),
    { timeoutMs: 3000, maxResponseBytes: 64 * 1024 },
  )
  return decodeAnswer(answer)
}

describe('the direct protocol checks frames like gossip', () => {
  it('rejects forged, tampered, misattributed and replayed frames; a sender retransmission is delivered once', async () => {
    const [sender, receiver, stranger] = [
      await fixture.node(),
      await fixture.node(),
      await fixture.node(),
    ]
    await connect(sender!, receiver!)
    await connect(stranger!, receiver!)
    const delivered: MeshMessage[] = []
    receiver!.onMessage((m) => delivered.push(m))
    const verdicts: FrameVerdictDetail[] = []
    receiver!.addEventListener('verdict', (event) => {
      if (event.detail.topic === DIRECT_PROTOCOL) verdicts.push(event.detail)
    })

    // Another mesh's key: the pattern value does not match.
    const forged = frameOf(sender!, 'forged', {
      generator: new PatternGenerator({ seed: 'another-mesh' }),
    })
    expect(await post(sender!, receiver!, forged)).toMatchObject({
      ok: false,
      code: 'PATTERN_MISMATCH',
    })

    const tampered = frameOf(sender!, 'tampered')
    tampered[tampered.length - 20] = tampered[tampered.length - 20]! ^ 0x01
    expect(await post(sender!, receiver!, tampered)).toMatchObject({
      ok: false,
      code: 'TAG_MISMATCH',
    })

    // A valid frame of the sender's, pushed by someone else: not the stream's peer.
    const stolen = frameOf(sender!, 'stolen')
    expect(await post(stranger!, receiver!, stolen)).toMatchObject({
      ok: false,
      code: 'UNKNOWN_SENDER',
    })

    const good = frameOf(sender!, 'good')
    const first = await post(sender!, receiver!, good)
    expect(first).toMatchObject({ ok: true, duplicate: false })
    // Replayed by another peer: REPLAY. Retransmitted by its sender: answered, not delivered again.
    expect(await post(stranger!, receiver!, good)).toMatchObject({ ok: false, code: 'REPLAY' })
    const again = await post(sender!, receiver!, good)
    expect(again).toMatchObject({ ok: true, duplicate: true })
    expect((again as { id: string }).id).toBe((first as { id: string }).id)

    expect(delivered.map((m) => Buffer.from(m.envelope.data).toString())).toEqual(['good'])
    expect(delivered[0]!.direct).toBe(true)
    expect(verdicts.map((v) => v.result.code)).toEqual([
      'PATTERN_MISMATCH',
      'TAG_MISMATCH',
      'UNKNOWN_SENDER',
      'ACCEPTED',
      'REPLAY',
    ])
    expect(verdicts.filter((v) => v.result.verdict === 'reject').map((v) => v.from)).toEqual([
      sender!.peerId,
      sender!.peerId,
      stranger!.peerId,
      stranger!.peerId,
    ])
    expect(receiver!.direct!.stats()).toMatchObject({ received: 1, duplicates: 1, rejected: 4 })
  }, 30_000)

  it('refuses a frame over the size limit at both ends, with a clear error', async () => {
    const [sender, receiver] = [await fixture.node(), await fixture.node()]
    await connect(sender!, receiver!)
    const delivered: MeshMessage[] = []
    receiver!.onMessage((m) => delivered.push(m))
    await expect(sender!.send(receiver!.peerId, Buffer.alloc(70_000))).rejects.toMatchObject({
      name: 'PayloadTooLargeError',
      message: expect.stringMatching(/70000 bytes exceeds/),
    })
    // Straight onto the stream: the receiver reads no more than a frame and drops the stream.
    const oversize = frameOf(sender!, 'x'.repeat(70_000))
    await expect(post(sender!, receiver!, oversize)).rejects.toThrow()
    expect(delivered).toEqual([])
    expect(receiver!.direct!.stats().rejected).toBe(1)
    // The channel still works afterwards.
    expect(await post(sender!, receiver!, frameOf(sender!, 'small'))).toMatchObject({ ok: true })
  }, 30_000)
})
