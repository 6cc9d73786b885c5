/**
 * The event loop of `patternmesh observe`: connects to a node's `/v1/events`, hands every
 * frame over, and reconnects with exponential backoff whenever the stream ends (the daemon
 * restarted), until the signal aborts. A refused token ends it: retrying cannot help.
 */
import { WebSocket } from 'ws'
import { backoffDelay, type BackoffOptions } from '../net/backoff.js'

export const OBSERVE_BACKOFF: BackoffOptions = { baseMs: 250, factor: 2, maxMs: 5000, jitter: 0.2 }

export interface WatchInit {
  url: string
  token: string
  signal: AbortSignal
  onFrame: (frame: Record<string, unknown>) => void
  /** Connection news for the user (stderr). */
  onStatus: (message: string) => void
  backoff?: BackoffOptions
}

type Outcome = 'closed' | 'unauthorized' | 'aborted'

/** Resolves 'unauthorized' when the token is refused, 'aborted' once the signal fires. */
export async function watchEvents(init: WatchInit): Promise<'unauthorized' | 'aborted'> {
  let failures = 0
  while (!init.signal.aborted) {
    const { outcome, opened } = await connectOnce(init)
    if (outcome !== 'closed') return outcome
    failures = opened ? 0 : failures + 1
    const delay = backoffDelay(failures, init.backoff ?? OBSERVE_BACKOFF)
    init.onStatus(`event stream ${opened ? 'closed' : 'unreachable'}; retrying in ${delay} ms`)
    await sleep(delay, init.signal)
  }
  return 'aborted'
}

async function connectOnce(init: WatchInit): Promise<{ outcome: Outcome; opened: boolean }> {
  return await new Promise((resolve) => {
    let opened = false
    let settled = false
    const ws = new WebSocket(init.url, {
      headers: { Authorization: `Bearer ${init.token}` },
      handshakeTimeout: 5000,
    })
    const finish = (outcome: Outcome): void => {
      if (settled) return
      settled = true
      init.signal.removeEventListener('abort', onAbort)
      resolve({ outcome, opened })
    }
    const onAbort = (): void => {
      ws.terminate()
      finish('aborted')
    }
    init.signal.addEventListener('abort', onAbort, { once: true })
    ws.on('open', () => {
      opened = true
      init.onStatus(`connected to ${init.url.replace(/token=[^&]*/, 'token=…')}`)
    })
    ws.on('message', (data) => {
      try {
        init.onFrame(JSON.parse(String(data)) as Record<string, unknown>)
      } catch {
        // not JSON: not from a patternmesh node; ignored
      }
    })
    ws.on('unexpected-response', (_req, res) => {
      ws.terminate()
      finish(res.statusCode === 401 ? 'unauthorized' : 'closed')
    })
    ws.on('error', () => finish('closed'))
    ws.on('close', () => finish(init.signal.aborted ? 'aborted' : 'closed'))
  })
}

async function sleep(ms: number, signal: AbortSignal): Promise<void> {
  if (signal.aborted) return
  await new Promise<void>((resolve) => {
    const timer = setTimeout(done, ms)
    function done(): void {
      clearTimeout(timer)
      signal.removeEventListener('abort', done)
      resolve()
    }
    signal.addEventListener('abort', done, { once: true })
  })
}
