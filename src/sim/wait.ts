/** Waiting helpers of the simulator (a run's own clock: the mesh runs in wall-clock time). */

export async function sleep(ms: number): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, ms))
}

/** Polls `condition` every `pollMs`; rejects once `timeoutMs` has passed without it. */
export async function until(
  condition: () => boolean | Promise<boolean>,
  timeoutMs: number,
  pollMs = 25,
): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`not within ${timeoutMs} ms`)
    await sleep(pollMs)
  }
}
