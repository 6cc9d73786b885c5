/**
 * The one place a service registers its control handler. A node with typed control dispatch
 * (`handleControl`, issue 13.4) runs the handler inside gossipsub's validator, so its verdict
 * decides delivery and forwarding; until every node has it, the handler runs on the node's
 * `control` event (frames already accepted) and its verdict is only counted by the caller.
 */
import type { ControlChannel, ControlHandler, ControlKind, NodeEvents } from '../node/ports.js'

export interface ControlRegistration {
  control: Partial<Pick<ControlChannel, 'handleControl'>>
  events: NodeEvents
}

export function registerControl(
  components: ControlRegistration,
  kind: ControlKind,
  handler: ControlHandler,
  signal: AbortSignal,
): void {
  if (components.control.handleControl !== undefined) {
    components.control.handleControl(kind, handler, { signal })
    return
  }
  components.events.addEventListener(
    'control',
    (event) => {
      const { id, envelope, receivedAt } = event.detail
      if (envelope.kind !== kind) return
      handler({ id, envelope, from: envelope.senderId, receivedAt })
    },
    { signal },
  )
}
