/**
 * Waits that end early when their signal aborts (Lodestar aborts every sleep from one
 * controller): a stop never waits for a timer, and nothing is left behind.
 */

/** Resolves after `ms`, or at once when `signal` aborts (never rejects). */
export async function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted === true) return
  await new Promise<void>((resolve) => {
    const done = (): void => {
      clearTimeout(timer)
      signal?.removeEventListener('abort', done)
      resolve()
    }
    const timer = setTimeout(done, Math.max(0, ms))
    signal?.addEventListener('abort', done, { once: true })
  })
}

/** Something that tells when a condition may have changed. */
export interface Wakeable {
  addEventListener(type: string, listener: () => void): void
  removeEventListener(type: string, listener: () => void): void
}

/**
 * Resolves once `condition()` holds, checked now and on every `event` of `source`, or when
 * `timeoutMs` passes or `signal` aborts. Returns whether the condition held. No polling.
 */
export async function waitForCondition(
  condition: () => boolean,
  wake: { source: Wakeable; event: string },
  timeoutMs: number,
  signal?: AbortSignal,
): Promise<boolean> {
  if (condition()) return true
  if (signal?.aborted === true || timeoutMs <= 0) return false
  return await new Promise<boolean>((resolve) => {
    const finish = (result: boolean): void => {
      clearTimeout(timer)
      wake.source.removeEventListener(wake.event, check)
      signal?.removeEventListener('abort', onAbort)
      resolve(result)
    }
    const check = (): void => {
      if (condition()) finish(true)
    }
    const onAbort = (): void => finish(false)
    const timer = setTimeout(() => finish(condition()), timeoutMs)
    wake.source.addEventListener(wake.event, check)
    signal?.addEventListener('abort', onAbort, { once: true })
  })
}
