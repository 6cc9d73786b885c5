/**
 * Membership leaving (issue 12.4) and its control handler's verdicts (issue 13.4), over a stub
 * node and fake timers.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import {
  Membership,
  decodeHeartbeat,
  encodeHeartbeat,
  type MemberStatusChangedDetail,
} from '../../src/membership/index.js'
import type { ControlFrame, ControlHandler, ControlKind } from '../../src/node/ports.js'
import { StubNode, coreOf } from '../helpers/stub-node.js'
import { heartbeatPayload } from '../helpers/heartbeats.js'

let node: StubNode
let membership: Membership

beforeEach(() => {
  vi.useFakeTimers({ now: 1_000_000 })
  node = new StubNode('QmSelf', { heartbeatIntervalMs: 100, suspectAfter: 2, deadAfter: 4 })
  membership = new Membership(coreOf(node), { random: () => 0 })
})

afterEach(async () => {
  await membership.stop()
  vi.useRealTimers()
})

function lastHeartbeat(): ReturnType<typeof decodeHeartbeat> {
  return decodeHeartbeat(node.sentOf('heartbeat').at(-1)!)
}

describe('Membership.leave', () => {
  it('announces leaving in a last heartbeat, lets roles act first, then stops', async () => {
    const order: string[] = []
    membership.addEventListener('members.leaving', () => order.push('leaving event'))
    const send = node.sendControl.bind(node)
    node.sendControl = async (kind, data) => {
      const decoded = decodeHeartbeat(data)
      if (decoded.ok) order.push(`heartbeat ${decoded.value.status}`)
      return await send(kind, data)
    }
    await membership.start()
    await membership.leave(1000)
    expect(order).toEqual(['heartbeat active', 'leaving event', 'heartbeat leaving'])
    expect(lastHeartbeat()).toMatchObject({
      ok: true,
      value: { status: 'leaving', eligible: false },
    })
    expect(membership.isStarted).toBe(false)
    // Stopped: no more heartbeats, and leaving twice sends nothing more.
    const sent = node.sentOf('heartbeat').length
    await membership.leave(1000)
    await vi.advanceTimersByTimeAsync(1000)
    expect(node.sentOf('heartbeat').length).toBe(sent)
  })

  it('waits at most timeoutMs for the heartbeat to go out', async () => {
    await membership.start()
    node.sendControl = async () => await new Promise(() => undefined)
    const left = membership.leave(500)
    let done = false
    void left.then(() => (done = true))
    await vi.advanceTimersByTimeAsync(499)
    expect(done).toBe(false)
    await vi.advanceTimersByTimeAsync(2)
    expect(done).toBe(true)
    expect(membership.isStarted).toBe(false)
  })

  it('a peer marks the leaving member left at once, and its restart alive again', async () => {
    const changes: MemberStatusChangedDetail[] = []
    membership.addEventListener('members.status-changed', (e) => changes.push(e.detail))
    await membership.start()
    node.deliver('QmA', 'heartbeat', encodeHeartbeat(heartbeatPayload()))
    node.deliver('QmA', 'heartbeat', encodeHeartbeat(heartbeatPayload({ status: 'leaving' })))
    expect(changes.map((c) => c.status)).toEqual(['left'])
    expect(membership.counts()).toMatchObject({ alive: 0, left: 1 })
    await vi.advanceTimersByTimeAsync(2000)
    expect(changes.map((c) => c.status)).toEqual(['left'])
    node.deliver('QmA', 'heartbeat', encodeHeartbeat(heartbeatPayload()))
    expect(changes.map((c) => c.status)).toEqual(['left', 'alive'])
  })
})

describe('Membership control handler', () => {
  it('rejects a malformed heartbeat (MALFORMED) and accepts a valid one', async () => {
    const handlers = new Map<ControlKind, ControlHandler>()
    const control = {
      sendControl: node.sendControl.bind(node),
      handleControl: (kind: ControlKind, handler: ControlHandler) => handlers.set(kind, handler),
    }
    membership = new Membership({ ...coreOf(node), control }, { random: () => 0 })
    await membership.start()
    const frame = (data: Uint8Array): ControlFrame => ({
      id: 'x',
      from: 'QmA',
      receivedAt: Date.now(),
      envelope: {
        v: 1,
        kind: 'heartbeat',
        senderId: 'QmA',
        globalStep: 1,
        seq: 1,
        patternValue: 0,
        timestamp: Date.now(),
        data,
      },
    })
    const handler = handlers.get('heartbeat')!
    expect(handler(frame(Buffer.from('{"status":"active"}')))).toMatchObject({
      verdict: 'reject',
      code: 'MALFORMED',
      detail: expect.stringContaining('heartbeat'),
    })
    expect(handler(frame(encodeHeartbeat(heartbeatPayload())))).toEqual({ verdict: 'accept' })
    expect(membership.members().map((m) => m.id)).toEqual(['QmA'])
    expect(membership.stats().invalidHeartbeats).toBe(1)
  })
})
