/** An observer never publishes data: `broadcast` through the API is refused with this. */
export class ObserverModeError extends Error {
  static readonly code = 'OBSERVER_MODE'
  constructor(message = 'this node is an observer: it never publishes data') {
    super(message)
    this.name = 'ObserverModeError'
  }
}
