import type { ApiNode } from './types.js'

/**
 * Whether the node is started and its join sync is over (`/ready`, and the gate of writes).
 * `step.synced` sets the flag; `whenReady()` covers a node that synced before the API
 * started; a node seen stopped clears it, so a restart waits for its new join sync.
 */
export class Readiness {
  private readonly node: ApiNode
  private synced = false
  private watching = false
  private attached = false

  constructor(node: ApiNode) {
    this.node = node
  }

  start(): void {
    if (this.attached) return
    this.attached = true
    this.node.addEventListener('step.synced', this.onSynced)
    this.watch()
  }

  stop(): void {
    if (!this.attached) return
    this.attached = false
    this.node.removeEventListener('step.synced', this.onSynced)
  }

  get ready(): boolean {
    if (!this.node.isStarted) {
      this.synced = false
      return false
    }
    if (!this.synced) this.watch()
    return this.synced
  }

  private readonly onSynced = (): void => {
    if (this.node.isStarted) this.synced = true
  }

  /** Before start(), whenReady() resolves at once: it only counts for a started node. */
  private watch(): void {
    if (this.watching || !this.node.isStarted) return
    this.watching = true
    this.node.whenReady().then(
      () => {
        this.watching = false
        if (this.attached && this.node.isStarted) this.synced = true
      },
      () => {
        this.watching = false
      },
    )
  }
}
