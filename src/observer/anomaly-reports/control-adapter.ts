/**
 * The one adapter until the node dispatches control kinds itself: `handleControl` over the
 * node's `control` event (an accepted control frame of any kind). The handler's verdict can
 * only be logged here, since the frame was already accepted and forwarded; with the node's
 * own `ControlChannel.handleControl` it decides inside gossipsub's validator. Replace this
 * with `node.handleControl` when that exists.
 */
import type { MeshNodeEvents } from '../../node/events.js'
import type { ControlChannel } from '../../node/ports.js'
import type { TypedEventTarget } from 'main-event'

type ControlEvents = Pick<
  TypedEventTarget<Pick<MeshNodeEvents, 'control'>>,
  'addEventListener' | 'removeEventListener'
>

export function controlEventIntake(events: ControlEvents): ControlChannel['handleControl'] {
  return (kind, handler, { signal }) => {
    events.addEventListener(
      'control',
      (event) => {
        if (event.detail.envelope.kind === kind) handler(event.detail)
      },
      { signal },
    )
  }
}
