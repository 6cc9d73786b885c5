/**
 * Counts and sums over the last `spanSeconds` whole seconds, in one bucket a second: a rate
 * and a mean that forget the past, in constant memory. The time is passed in (tests).
 */
export class RateWindow {
  private readonly counts: Float64Array
  private readonly sums: Float64Array
  private readonly seconds: Float64Array
  readonly spanSeconds: number

  constructor(spanSeconds = 10) {
    this.spanSeconds = spanSeconds
    this.counts = new Float64Array(spanSeconds)
    this.sums = new Float64Array(spanSeconds)
    this.seconds = new Float64Array(spanSeconds).fill(-1)
  }

  add(now: number, value = 0): void {
    const second = Math.floor(now / 1000)
    const slot = second % this.spanSeconds
    if (this.seconds[slot] !== second) {
      this.seconds[slot] = second
      this.counts[slot] = 0
      this.sums[slot] = 0
    }
    this.counts[slot]! += 1
    this.sums[slot]! += value
  }

  /** Events and the sum of their values over the window ending at `now`. */
  totals(now: number): { count: number; sum: number } {
    const second = Math.floor(now / 1000)
    let count = 0
    let sum = 0
    for (let slot = 0; slot < this.spanSeconds; slot++) {
      const age = second - this.seconds[slot]!
      if (this.seconds[slot]! < 0 || age < 0 || age >= this.spanSeconds) continue
      count += this.counts[slot]!
      sum += this.sums[slot]!
    }
    return { count, sum }
  }

  /** Events per second over the window. */
  rate(now: number): number {
    return this.totals(now).count / this.spanSeconds
  }

  /** Mean value over the window, null without events. */
  mean(now: number): number | null {
    const { count, sum } = this.totals(now)
    return count === 0 ? null : sum / count
  }
}
