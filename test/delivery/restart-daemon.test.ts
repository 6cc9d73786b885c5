/**
 * A daemon restarted while a peer broadcasts steadily (real child processes, DESIGN §15): every
 * message sent while it was down or starting ends up in its message log, and on its
 * `/v1/events` once the stream is open, each exactly once; what it delivered before is not
 * delivered again.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { DaemonFixture, type DaemonProcess } from '../helpers/daemon.js'
import { until } from '../helpers/until.js'

const fixture = new DaemonFixture()
afterEach(async () => await fixture.cleanup())

const COMMON = ['--seed', 'restart-daemon', '--listen', '/ip4/127.0.0.1/tcp/0']

/** The whole message log of `daemon`: ids, in log order. */
async function logIds(daemon: DaemonProcess): Promise<string[]> {
  const headers = { authorization: `Bearer ${await daemon.token()}` }
  const ids: string[] = []
  let after = 0
  for (let page = 0; page < 100; page++) {
    const response = await fetch(`${daemon.apiUrl}/v1/messages?after=${after}&limit=1000`, {
      headers,
    })
    const body = (await response.json()) as { messages: Array<{ cursor: number; id: string }> }
    if (body.messages.length === 0) break
    ids.push(...body.messages.map((m) => m.id))
    after = body.messages.at(-1)!.cursor
  }
  return ids
}

function counts(ids: readonly string[]): Map<string, number> {
  const seen = new Map<string, number>()
  for (const id of ids) seen.set(id, (seen.get(id) ?? 0) + 1)
  return seen
}

/** Broadcasts `perTick` messages from `daemon` every 100 ms until stopped; every id with its send time. */
function broadcastSteadily(daemon: DaemonProcess, perTick: number) {
  const sent: Array<{ id: string; at: number }> = []
  let running = true
  const done = (async () => {
    let tick = 0
    const started = Date.now()
    while (running) {
      const at = Date.now()
      const messages = Array.from({ length: perTick }, (_, i) => ({ data: `m${tick}.${i}` }))
      const answer = await daemon.post<{ ids: string[] }>('/v1/messages', { messages })
      expect(answer.status).toBe(202)
      for (const id of answer.body.ids) sent.push({ id, at })
      tick++
      const wait = started + tick * 100 - Date.now()
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait))
    }
  })()
  return {
    sent,
    stop: async () => {
      running = false
      await done
    },
  }
}

describe('a daemon restarted under steady traffic (child processes)', () => {
  it('delivers every message sent while it was down or starting, each exactly once, in its log and on /v1/events', async () => {
    const sender = await fixture.daemon(COMMON)
    const restarted = await fixture.daemon([...COMMON, '--bootstrap', sender.listen[0]!])
    const third = await fixture.daemon([
      ...COMMON,
      '--bootstrap',
      sender.listen[0]!,
      '--bootstrap',
      restarted.listen[0]!,
    ])
    await until(
      async () => {
        const statuses = await Promise.all(
          [sender, restarted, third].map(
            async (d) => await d.get<{ connectedPeers: number; ready: boolean }>('/v1/status'),
          ),
        )
        return statuses.every((s) => s.ready && s.connectedPeers === 2)
      },
      { timeout: 20_000, message: 'three daemons connected and ready' },
    )

    // 200 messages a second: 20 every 100 ms.
    const traffic = broadcastSteadily(sender, 20)
    await until(() => traffic.sent.length >= 600, { timeout: 15_000, message: 'traffic flows' })
    expect(await restarted.signal('SIGKILL')).toBeNull()
    const killedAt = Date.now()
    await until(() => traffic.sent.some((m) => m.at >= killedAt + 1500), {
      timeout: 10_000,
      message: 'traffic while it is down',
    })
    await restarted.start()
    const events = await restarted.events('message')
    const streamOpenAt = Date.now()
    await until(() => traffic.sent.some((m) => m.at >= streamOpenAt + 2000), {
      timeout: 10_000,
      message: 'traffic after the restart',
    })
    await traffic.stop()

    // Sent once it was killed: while down, while starting, and after.
    const due = traffic.sent.filter((m) => m.at >= killedAt).map((m) => m.id)
    let logged = new Map<string, number>()
    await until(
      async () => {
        logged = counts(await logIds(restarted))
        return due.every((id) => logged.has(id))
      },
      {
        timeout: 30_000,
        interval: 500,
        message: `the restarted daemon's log holds all ${due.length} messages sent since the kill`,
      },
    ).catch((err: unknown) => {
      const missing = due.filter((id) => !logged.has(id)).length
      throw new Error(`${String(err)}; missing ${missing} of ${due.length}`)
    })
    expect(due.filter((id) => logged.get(id) !== 1)).toEqual([])
    // What it had delivered before the kill is not delivered again: it remembers (on disk) what
    // it delivered, up to its last save, at most a second before the kill.
    const before = traffic.sent.filter((m) => m.at < killedAt - 2000).map((m) => m.id)
    expect(before.length).toBeGreaterThan(100)
    expect(before.filter((id) => logged.has(id))).toEqual([])

    const streamed = counts(
      events.frames.filter((f) => f['type'] === 'message').map((f) => String(f['id'])),
    )
    events.close()
    expect([...streamed].filter(([, n]) => n > 1)).toEqual([])
    // Every message sent once the stream was open reached it (and the log, as checked above).
    const afterOpen = traffic.sent.filter((m) => m.at >= streamOpenAt).map((m) => m.id)
    expect(afterOpen.filter((id) => !streamed.has(id))).toEqual([])
  }, 120_000)
})
