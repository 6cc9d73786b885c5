/** A daemon's `/v1/events` frames, as observations of the run. */
import type { ObservationSink } from '../driver.js'

export function eventHandler(
  node: number,
  observer: boolean,
  sink: ObservationSink,
  onPrincipal: (principal: string | null, at: number) => void,
): (frame: Record<string, unknown>) => void {
  return (frame) => {
    if (frame['type'] === 'role') {
      // The daemon's own time of the change: exact, where polling would add its period.
      const principal = typeof frame['principal'] === 'string' ? frame['principal'] : null
      onPrincipal(principal, Number(frame['at']))
    } else if (frame['type'] === 'message') {
      if (!observer) sink.message(String(frame['id']), node, undefined, Number(frame['at']))
    } else if (frame['type'] === 'rejected' && frame['verdict'] === 'reject') {
      sink.detection({
        at: Number(frame['at']),
        by: `${node}`,
        kind: String(frame['code']),
        peerId: String(frame['peerId']),
      })
    }
  }
}
