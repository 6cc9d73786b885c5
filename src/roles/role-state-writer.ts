/**
 * Serialised writes of the role state: one at a time, in order, so an older state never lands
 * after a newer one. `write` rejects when the store fails (a claim must not go out then);
 * `idle` waits for the writes in progress (stop()).
 */
import type { PersistedRoleState, RoleStateStore } from './state-store.js'

export class RoleStateWriter {
  private readonly store: RoleStateStore | undefined
  private tail: Promise<void> = Promise.resolve()
  failures = 0

  constructor(store: RoleStateStore | undefined) {
    this.store = store
  }

  async write(state: PersistedRoleState): Promise<void> {
    const store = this.store
    if (store === undefined) return
    const write = this.tail.then(async () => await store.save(state))
    this.tail = write.catch(() => undefined)
    try {
      await write
    } catch (err) {
      this.failures++
      throw err
    }
  }

  async idle(): Promise<void> {
    await this.tail
  }
}
