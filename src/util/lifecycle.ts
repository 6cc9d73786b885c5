export type LifecycleStatus = 'stopped' | 'starting' | 'started' | 'stopping'

/**
 * The start()/stop() bookkeeping of a long-lived part: start runs once from `stopped`, a
 * failed start undoes what it did, stop runs once from `started`; calling either again is
 * harmless.
 */
export class Lifecycle {
  status: LifecycleStatus = 'stopped'

  /** `afterStarted` runs once the status is `started` (parts that call back into the owner). */
  async start(
    startParts: () => Promise<void>,
    stopParts: () => Promise<void>,
    afterStarted?: () => Promise<void>,
  ): Promise<void> {
    if (this.status !== 'stopped') return
    this.status = 'starting'
    try {
      await startParts()
      this.status = 'started'
      await afterStarted?.()
    } catch (err) {
      await stopParts()
      this.status = 'stopped'
      throw err
    }
  }

  async stop(stopParts: () => Promise<void>): Promise<void> {
    if (this.status !== 'started') return
    this.status = 'stopping'
    await stopParts()
    this.status = 'stopped'
  }
}
