/**
 * Polls `condition` until it holds, instead of sleeping a fixed time. Rejects after `timeout`
 * ms with `message` (and the last error the condition threw, if any).
 */
export interface UntilOptions {
  /** Give up after this many ms (default 5000). */
  timeout?: number
  /** Poll every this many ms (default 25). */
  interval?: number
  /** Says what was awaited, in the timeout error. */
  message?: string
}

export async function until(
  condition: () => boolean | Promise<boolean>,
  options: UntilOptions = {},
): Promise<void> {
  const timeout = options.timeout ?? 5_000
  const interval = options.interval ?? 25
  const deadline = Date.now() + timeout
  let lastError: unknown
  while (true) {
    try {
      if (await condition()) return
      lastError = undefined
    } catch (err) {
      lastError = err
    }
    if (Date.now() >= deadline) {
      const what = options.message ?? 'condition'
      const why = lastError instanceof Error ? ` (last error: ${lastError.message})` : ''
      throw new Error(`timed out after ${timeout} ms waiting for ${what}${why}`, {
        cause: lastError,
      })
    }
    await new Promise((resolve) => setTimeout(resolve, interval))
  }
}
