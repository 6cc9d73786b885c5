import { TypedEventEmitter } from 'main-event'
import { describe, expect, it } from 'vitest'
import { MessageLog } from '../../src/direct/message-log.js'
import type { MeshMessage, MeshNodeEvents } from '../../src/node/index.js'

function message(seq: number, direct = false): MeshMessage {
  return {
    id: `id-${seq}`,
    envelope: {
      v: 1,
      kind: 'data',
      senderId: 'sender',
      globalStep: 7,
      seq,
      patternValue: 1,
      timestamp: 0,
      data: Buffer.from(`m${seq}`),
    },
    from: 'relay',
    receivedAt: 1000 + seq,
    ...(direct ? { direct } : {}),
  } as MeshMessage
}

async function started(
  size: number,
  base = 100,
): Promise<{ log: MessageLog; events: TypedEventEmitter<MeshNodeEvents> }> {
  const events = new TypedEventEmitter<MeshNodeEvents>()
  const log = new MessageLog({ events }, { size, base })
  await log.start()
  return { log, events }
}

describe('MessageLog', () => {
  it('logs every message event with monotonic cursors and pages from a cursor', async () => {
    const { log, events } = await started(10)
    for (let seq = 1; seq <= 5; seq++)
      events.safeDispatchEvent('message', { detail: message(seq, seq === 3) })
    const all = log.read(undefined, 100)
    expect(all.messages.map((m) => m.cursor)).toEqual([101, 102, 103, 104, 105])
    expect(all.messages[2]!.direct).toBe(true)
    expect(all.truncated).toBe(false)
    const first = log.read(0, 2)
    expect(first.messages.map((m) => m.seq)).toEqual([1, 2])
    expect(first.truncated).toBe(false)
    const second = log.read(first.next, 2)
    expect(second.messages.map((m) => m.seq)).toEqual([3, 4])
    const third = log.read(second.next, 2)
    expect(third.messages.map((m) => m.seq)).toEqual([5])
    const empty = log.read(third.next, 2)
    expect(empty).toEqual({ messages: [], next: third.next, truncated: false })
    await log.stop()
    events.safeDispatchEvent('message', { detail: message(6) })
    expect(log.stats().size).toBe(5)
  })

  it('drops the oldest when full, counts them, and says truncated to a cursor behind them', async () => {
    const { log, events } = await started(3)
    for (let seq = 1; seq <= 5; seq++) events.safeDispatchEvent('message', { detail: message(seq) })
    expect(log.stats()).toEqual({ size: 3, capacity: 3, dropped: 2, oldest: 103, newest: 105 })
    const behind = log.read(101, 10)
    expect(behind.truncated).toBe(true)
    expect(behind.messages.map((m) => m.seq)).toEqual([3, 4, 5])
    expect(log.read(102, 10).truncated).toBe(false)
    expect(log.read(0, 10).truncated).toBe(true)
    // A cursor of another run (above the newest, or below this run's first): truncated.
    const foreign = log.read(999, 10)
    expect(foreign.truncated).toBe(true)
    expect(foreign.messages.map((m) => m.seq)).toEqual([3, 4, 5])
    expect(log.read(50, 10).truncated).toBe(true)
  })

  it('a reader that resumes from its cursor misses nothing while the log keeps up', async () => {
    const { log, events } = await started(50)
    const seen: number[] = []
    let cursor: number | undefined
    for (let seq = 1; seq <= 500; seq++) {
      events.safeDispatchEvent('message', { detail: message(seq) })
      if (seq % 37 === 0) {
        const page = log.read(cursor, 1000)
        expect(page.truncated).toBe(false)
        seen.push(...page.messages.map((m) => m.seq))
        cursor = page.next
      }
    }
    seen.push(...log.read(cursor, 1000).messages.map((m) => m.seq))
    expect(seen).toEqual(Array.from({ length: 500 }, (_, i) => i + 1))
  })
})
