import { describe, expect, it } from 'vitest'
import { EventClient, type EventSocket } from '../../src/api/event-client.js'
import { parseTypesFilter, previewData, rejectedFrame } from '../../src/api/event-frames.js'

/** A socket whose buffer only drains when the test says so. */
class SlowSocket implements EventSocket {
  readyState = 1
  bufferedAmount = 0
  readonly delivered: string[] = []
  private readonly pending: Array<{ data: string; callback?: (err?: Error | null) => void }> = []

  send(data: string, callback?: (err?: Error | null) => void): void {
    this.bufferedAmount += data.length
    this.pending.push({ data, callback })
  }

  /** Writes out everything buffered, calling each send's callback like ws does. */
  drain(): void {
    while (this.pending.length > 0) {
      const { data, callback } = this.pending.shift()!
      this.bufferedAmount -= data.length
      this.delivered.push(data)
      callback?.(null) // as streams do
    }
  }
}

const frame = (i: number): string =>
  JSON.stringify({ type: 'message', at: 0, i, pad: 'x'.repeat(80) })

function client(socket: SlowSocket, limit: number, drops: number[] = []): EventClient {
  return new EventClient({
    socket,
    types: undefined,
    bufferLimit: limit,
    onDrop: (count) => drops.push(count),
    now: () => 42,
  })
}

describe('EventClient', () => {
  it('drops frames beyond the buffer limit, counts them, and reports them once drained', () => {
    const socket = new SlowSocket()
    const drops: number[] = []
    const c = client(socket, 500, drops)
    for (let i = 0; i < 20; i++) c.send(frame(i))
    // ~100-byte frames, 500-byte limit: four fit (the first always does), the rest are dropped.
    expect(socket.bufferedAmount).toBeLessThanOrEqual(500)
    expect(drops.length).toBe(20 - 4)
    expect(c.pendingDrops).toBe(16)
    socket.drain()
    const reports = socket.delivered.map((d) => JSON.parse(d) as { type: string; count?: number })
    expect(reports.filter((r) => r.type === 'message')).toHaveLength(4)
    expect(reports.at(-1)).toEqual({ type: 'dropped', at: 42, count: 16 })
    expect(c.pendingDrops).toBe(0)
  })

  it('reports pending drops before the next frame when the buffer has room', () => {
    const socket = new SlowSocket()
    const c = client(socket, 250)
    c.send(frame(0))
    c.send(frame(1))
    c.send(frame(2)) // dropped
    expect(c.pendingDrops).toBe(1)
    // The buffer drains without callbacks (e.g. ws's write was already acknowledged).
    socket.bufferedAmount = 0
    c.send(frame(3))
    socket.drain()
    const types = socket.delivered.map((d) => JSON.parse(d) as { type: string; i?: number })
    expect(types.map((t) => t.type)).toEqual(['message', 'message', 'dropped', 'message'])
    expect(types[3]).toMatchObject({ i: 3 })
  })

  it('sends one frame larger than the limit when the buffer is empty', () => {
    const socket = new SlowSocket()
    const c = client(socket, 10)
    c.send(frame(0))
    expect(socket.bufferedAmount).toBeGreaterThan(10)
    expect(c.pendingDrops).toBe(0)
  })

  it('sends nothing to a socket that is not open', () => {
    const socket = new SlowSocket()
    socket.readyState = 2
    client(socket, 1000).send(frame(0))
    expect(socket.bufferedAmount).toBe(0)
  })
})

describe('event frames', () => {
  it.each([
    [
      Buffer.from('hello\nworld\t!'),
      { data: 'hello\nworld\t!', encoding: 'utf8', truncated: false },
    ],
    [Buffer.from('héllo ✓'), { data: 'héllo ✓', encoding: 'utf8', truncated: false }],
    [Buffer.from([0, 1, 2]), { data: 'AAEC', encoding: 'base64', truncated: false }],
    [Buffer.from('bell\u0007'), { data: 'YmVsbAc=', encoding: 'base64', truncated: false }],
    [Buffer.from([0xc3, 0x28]), { data: 'wyg=', encoding: 'base64', truncated: false }],
    [Buffer.alloc(0), { data: '', encoding: 'utf8', truncated: false }],
  ])('previews %j', (bytes, expected) => {
    expect(previewData(bytes)).toEqual(expected)
  })

  it('caps previews at 1 KiB, on a character boundary for text', () => {
    const long = previewData(Buffer.from('a'.repeat(5000)))
    expect(long).toMatchObject({ encoding: 'utf8', truncated: true })
    expect(long.data).toHaveLength(1024)
    // 'é' is 2 bytes: 1023 of 'a' then 'é' crosses the cap; the cut backs off to 1023 bytes.
    const split = previewData(Buffer.from(`${'a'.repeat(1023)}é and more`))
    expect(split).toEqual({ data: 'a'.repeat(1023), encoding: 'utf8', truncated: true })
    const binary = previewData(Buffer.alloc(3000, 0))
    expect(binary.encoding).toBe('base64')
    expect(Buffer.from(binary.data, 'base64')).toHaveLength(1024)
  })

  it.each([
    [null, { ok: true, types: undefined }],
    ['message,step', { ok: true, types: new Set(['message', 'step']) }],
    [' member , rejected ', { ok: true, types: new Set(['member', 'rejected']) }],
  ])('parses types filter %j', (raw, expected) => {
    expect(parseTypesFilter(raw)).toEqual(expected)
  })

  it.each(['', ',', 'message,nope', 'MESSAGE'])(
    'refuses types filter %j, naming "types"',
    (raw) => {
      const parsed = parseTypesFilter(raw)
      expect(parsed.ok).toBe(false)
      expect(!parsed.ok && parsed.message.startsWith('types:')).toBe(true)
    },
  )

  it('turns only non-accepted verdicts into rejected frames', () => {
    const base = { topic: 't', from: 'peerX', at: 7 }
    expect(
      rejectedFrame({ ...base, result: { verdict: 'accept', code: 'ACCEPTED' } }),
    ).toBeUndefined()
    expect(
      rejectedFrame({ ...base, result: { verdict: 'reject', code: 'MALFORMED', detail: 'short' } }),
    ).toEqual({
      type: 'rejected',
      at: 7,
      code: 'MALFORMED',
      verdict: 'reject',
      peerId: 'peerX',
      senderId: null,
      step: null,
      topic: 't',
      detail: 'short',
    })
  })
})
