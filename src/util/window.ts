/** How many of `times` fall in the window `(now - windowMs, now]`. */
export function countInWindow(times: readonly number[], now: number, windowMs: number): number {
  let inWindow = 0
  for (const at of times) if (at > now - windowMs && at <= now) inWindow++
  return inWindow
}
