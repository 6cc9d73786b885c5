import { TypedEventEmitter } from 'main-event'
import { describe, expect, it } from 'vitest'
import { Registry } from 'prom-client'
import { DEFAULT_CONFIG } from '../../src/config/index.js'
import { LOG_ENTRY_OVERHEAD_BYTES, registerMessageLogMetrics } from '../../src/direct/index.js'
import { MessageLog } from '../../src/direct/message-log.js'
import type { MeshMessage, MeshNodeEvents } from '../../src/node/index.js'

function message(seq: number, direct = false, bytes?: number): MeshMessage {
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
      data: bytes === undefined ? Buffer.from(`m${seq}`) : Buffer.alloc(bytes, seq),
    },
    from: 'relay',
    receivedAt: 1000 + seq,
    ...(direct ? { direct } : {}),
  } as MeshMessage
}

async function started(
  size: number,
  base = 100,
  maxBytes?: number,
): Promise<{ log: MessageLog; events: TypedEventEmitter<MeshNodeEvents> }> {
  const events = new TypedEventEmitter<MeshNodeEvents>()
  const log = new MessageLog(
    { events },
    { size, base, ...(maxBytes !== undefined ? { maxBytes } : {}) },
  )
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
    expect(log.stats()).toMatchObject({
      size: 3,
      capacity: 3,
      dropped: 2,
      oldest: 103,
      newest: 105,
    })
    expect(log.stats().droppedForBytes).toBe(0)
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

  it('stays within maxBytes with large payloads: the oldest go, counted apart, readers told', async () => {
    const entry = 64 * 1024 + LOG_ENTRY_OVERHEAD_BYTES
    // Room for 1,000 entries by count, for 3 of these by bytes.
    const { log, events } = await started(1000, 100, 3 * entry + 10)
    for (let seq = 1; seq <= 10; seq++)
      events.safeDispatchEvent('message', { detail: message(seq, false, 64 * 1024) })
    expect(log.stats()).toMatchObject({
      size: 3,
      dropped: 7,
      droppedForBytes: 7,
      bytes: 3 * entry,
      oldest: 108,
      newest: 110,
    })
    const page = log.read(0, 100)
    expect(page.messages.map((m) => m.seq)).toEqual([8, 9, 10])
    expect(page.truncated).toBe(true)
    // Small ones after them: together they no longer fit, so the oldest large one goes too.
    for (let seq = 11; seq <= 14; seq++)
      events.safeDispatchEvent('message', { detail: message(seq) })
    expect(log.read(0, 100).messages.map((m) => m.seq)).toEqual([9, 10, 11, 12, 13, 14])
    expect(log.stats()).toMatchObject({
      bytes: 2 * entry + 4 * (3 + LOG_ENTRY_OVERHEAD_BYTES),
      droppedForBytes: 8,
    })
    // A payload larger than the bound alone is kept (the newest always is), the rest dropped.
    events.safeDispatchEvent('message', { detail: message(15, false, 4 * 64 * 1024) })
    expect(log.read(0, 100).messages.map((m) => m.seq)).toEqual([15])
    expect(log.stats()).toMatchObject({ size: 1, dropped: 14, droppedForBytes: 14 })
  })

  it('takes its byte bound from messageLogBytes, and mirrors it on /metrics', async () => {
    const events = new TypedEventEmitter<MeshNodeEvents>()
    const config = { ...DEFAULT_CONFIG, messageLogSize: 100, messageLogBytes: 65_536 }
    const log = new MessageLog({ events, liveConfig: { config } }, { base: 0 })
    await log.start()
    for (let seq = 1; seq <= 5; seq++)
      events.safeDispatchEvent('message', { detail: message(seq, false, 30_000) })
    expect(log.stats()).toMatchObject({ size: 2, maxBytes: 65_536, droppedForBytes: 3 })
    const registry = new Registry()
    registerMessageLogMetrics(registry, () => log.stats())
    const text = await registry.metrics()
    expect(text).toMatch(/^patternmesh_message_log_dropped_total\{bound="bytes"\} 3$/m)
    expect(text).toMatch(/^patternmesh_message_log_dropped_total\{bound="size"\} 0$/m)
    expect(text).toMatch(
      new RegExp(`^patternmesh_message_log_bytes ${2 * (30_000 + LOG_ENTRY_OVERHEAD_BYTES)}$`, 'm'),
    )
    expect(text).toMatch(/^patternmesh_message_log_messages 2$/m)
  })
})
