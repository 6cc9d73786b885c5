/**
 * The control frames' handlers, one per envelope kind, run inside gossipsub's validator: a
 * handler decodes and checks its payload and its verdict is the frame's (a malformed heartbeat
 * is rejected at the first hop: not delivered, not forwarded, scored against its signer).
 */
import type { ControlFrame, ControlHandler, ControlKind, ControlVerdict } from './ports.js'

const UNHANDLED: ControlVerdict = {
  verdict: 'ignore',
  code: 'MALFORMED',
  detail: 'no handler for this control kind here',
}

export class ControlDispatch {
  private readonly handlers = new Map<ControlKind, ControlHandler>()

  /** The one handler of `kind`, until `signal` aborts (a later registration replaces it). */
  register(kind: ControlKind, handler: ControlHandler, signal: AbortSignal): void {
    if (signal.aborted) return
    this.handlers.set(kind, handler)
    signal.addEventListener(
      'abort',
      () => {
        if (this.handlers.get(kind) === handler) this.handlers.delete(kind)
      },
      { once: true },
    )
  }

  /** The handler's verdict; a handler that throws is a bug of ours, not the sender's: ignore. */
  dispatch(frame: ControlFrame): ControlVerdict {
    const handler = this.handlers.get(frame.envelope.kind as ControlKind)
    if (handler === undefined) return UNHANDLED
    try {
      return handler(frame)
    } catch (err) {
      return { verdict: 'ignore', code: 'MALFORMED', detail: `handler failed: ${String(err)}` }
    }
  }
}
