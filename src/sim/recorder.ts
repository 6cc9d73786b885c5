/**
 * What a simulation run records, and the figures computed from it afterwards. Pure data: the
 * runner feeds it, the expectations and the report read it. Everything is bounded.
 */

export interface Detection {
  at: number
  /** The node that recorded it (its index, or `observer:<i>`). */
  by: string
  kind: string
  peerId: string
  detail?: string
}

export interface Mark {
  at: number
  label: string
  kind: 'kill' | 'restart' | 'partition' | 'heal' | 'weight' | 'advice' | 'attack'
}

const MAX_SENT = 200_000
const MAX_SAMPLES = 20_000
const MAX_LATENCIES = 200_000
const MAX_DETECTIONS = 50_000
const MAX_EARLY = 10_000

export class Recorder {
  readonly startedAt = Date.now()
  /**
   * Message id → when it was sent, by whom (index, if known), who should get it, who did, and
   * the slowest delivery so far (ms).
   */
  private readonly sent = new Map<
    string,
    {
      at: number
      sender: number | undefined
      expected: number[]
      received: Set<number>
      /** When each receiver first had it (for eventual delivery's deadline). */
      firstAt: Map<number, number>
      slowestMs: number
      /** A directed message: `expected` is its one target. */
      direct: boolean
    }
  >()
  /** Receipts (by receiver) of messages whose send was not recorded yet (process mode). */
  private readonly early = new Map<string, Set<number>>()
  readonly latencies: number[] = []
  /** [time, node index, step] */
  readonly steps: Array<[number, number, number]> = []
  /** [time, node index, principal peer id or null] — principal changes as each node saw them. */
  readonly principals: Array<[number, number, string | null]> = []
  readonly detections: Detection[] = []
  readonly marks: Mark[] = []
  /** Principal kills: time, and the victim's peer id. */
  readonly principalKills: Array<{ at: number; victim: string }> = []
  readonly heals: number[] = []
  dropped = 0
  broadcastFailures = 0
  /** Directed messages whose send failed (no target, not acknowledged in time). */
  directFailures = 0
  /** A receiver that had a message already reported it again (delivered twice). */
  duplicates = 0
  /** Directed messages delivered at a member that was not their target. */
  misdelivered = 0

  mark(kind: Mark['kind'], label: string): void {
    this.marks.push({ at: Date.now(), kind, label })
  }

  /**
   * A message sent (by node `sender`), and the nodes (indexes) that should get it: every
   * receiver of a broadcast, the one target of a directed message (`direct`).
   */
  messageSent(
    id: string,
    expectedReceivers: number[],
    at = Date.now(),
    sender?: number,
    direct = false,
  ): void {
    if (this.sent.size >= MAX_SENT) {
      this.dropped++
      return
    }
    // A receiver may report a message before its sender's receipt is back (process mode; a
    // directed message is delivered before its acknowledgement returns).
    const received = this.early.get(id) ?? new Set<number>()
    this.early.delete(id)
    if (direct) {
      for (const r of received) {
        if (expectedReceivers.includes(r)) continue
        received.delete(r)
        this.misdelivered++
      }
    }
    const firstAt = new Map([...received].map((r) => [r, at] as const))
    this.sent.set(id, {
      at,
      sender,
      expected: expectedReceivers,
      received,
      firstAt,
      slowestMs: 0,
      direct,
    })
  }

  /** A delivery at `receiver`; without a latency it is taken from the send time, if known. */
  messageReceived(
    id: string,
    receiver: number,
    latencyMs: number | undefined,
    receivedAt = Date.now(),
  ): void {
    const entry = this.sent.get(id)
    // Delivered twice at one receiver: counted, and the first receipt stands.
    if (entry?.received.has(receiver) === true || this.early.get(id)?.has(receiver) === true) {
      this.duplicates++
      return
    }
    if (entry?.direct === true && !entry.expected.includes(receiver)) {
      this.misdelivered++
      return
    }
    if (entry !== undefined) {
      entry.received.add(receiver)
      entry.firstAt.set(receiver, receivedAt)
    } else if (this.early.size < MAX_EARLY) {
      const early = this.early.get(id) ?? new Set<number>()
      early.add(receiver)
      this.early.set(id, early)
    }
    const latency = latencyMs ?? (entry === undefined ? undefined : receivedAt - entry.at)
    if (latency !== undefined && this.latencies.length < MAX_LATENCIES) this.latencies.push(latency)
    if (entry !== undefined && latency !== undefined)
      entry.slowestMs = Math.max(entry.slowestMs, latency)
  }

  step(node: number, step: number): void {
    if (this.steps.length < MAX_SAMPLES * 10) this.steps.push([Date.now(), node, step])
  }

  principal(node: number, principal: string | null, at = Date.now()): void {
    if (this.principals.length < MAX_SAMPLES) this.principals.push([at, node, principal])
  }

  detection(detection: Detection): void {
    if (this.detections.length < MAX_DETECTIONS) this.detections.push(detection)
    else this.dropped++
  }

  /**
   * Deliveries over expected deliveries. `excused(node, sentAt)` drops deliveries that could
   * not happen through no fault of the mesh: to a receiver, or from a sender, killed right
   * after the message was sent (a crash loses what it had not sent yet).
   */
  deliveryRatio(excused: (node: number, sentAt: number) => boolean = () => false): number {
    let expected = 0
    let received = 0
    for (const entry of this.sent.values()) {
      if (entry.sender !== undefined && excused(entry.sender, entry.at)) continue
      for (const receiver of entry.expected) {
        if (excused(receiver, entry.at)) continue
        expected++
        if (entry.received.has(receiver)) received++
      }
    }
    return expected === 0 ? 1 : received / expected
  }

  /**
   * Eventual delivery (DESIGN §15): of every message (its sender not `excused`), the share of
   * `receivers` (but the sender) that had it by `deadline(sentAt)`, counting those that were
   * partitioned or down when it was sent.
   */
  eventualRatio(
    receivers: readonly number[],
    excused: (node: number, sentAt: number) => boolean,
    deadline: (sentAt: number) => number,
  ): { ratio: number; expected: number; received: number } {
    let expected = 0
    let received = 0
    for (const entry of this.sent.values()) {
      if (entry.sender !== undefined && excused(entry.sender, entry.at)) continue
      const by = deadline(entry.at)
      // A directed message is due at its target only (the sender itself, if it was that).
      const due = entry.direct ? receivers.filter((r) => entry.expected.includes(r)) : receivers
      for (const receiver of due) {
        if (receiver === entry.sender && !entry.direct) continue
        expected++
        const at = entry.firstAt.get(receiver)
        if (at !== undefined && at <= by) received++
      }
    }
    return { ratio: expected === 0 ? 1 : received / expected, expected, received }
  }

  /** Deliveries still due: expected receivers that have not had their message, unless `gone`. */
  undelivered(gone: (node: number) => boolean): number {
    let due = 0
    for (const entry of this.sent.values())
      for (const receiver of entry.expected)
        if (!entry.received.has(receiver) && !gone(receiver)) due++
    return due
  }

  messagesSent(): number {
    return this.sent.size
  }

  /**
   * Directed messages: how many were sent (acknowledged), how many reached their target, and
   * the receipts per receiver (`n<i>`).
   */
  directed(): { sent: number; delivered: number; byReceiver: Record<string, number> } {
    let sent = 0
    let delivered = 0
    const byReceiver: Record<string, number> = {}
    for (const entry of this.sent.values()) {
      if (!entry.direct) continue
      sent++
      if (entry.expected.every((r) => entry.received.has(r))) delivered++
      for (const r of entry.received) byReceiver[`n${r}`] = (byReceiver[`n${r}`] ?? 0) + 1
    }
    return { sent, delivered, byReceiver }
  }

  /** Latency percentile over every delivery (ms). */
  percentile(p: number): number {
    return percentileOf(this.latencies, p)
  }

  /**
   * Reach-all latency percentile (ms): per message that reached every receiver it should
   * (`excused` as for deliveryRatio), the time until the last of them had it.
   */
  reachAllPercentile(p: number, excused: (node: number, sentAt: number) => boolean): number {
    const reachAll: number[] = []
    for (const entry of this.sent.values()) {
      if (entry.sender !== undefined && excused(entry.sender, entry.at)) continue
      const due = entry.expected.filter((receiver) => !excused(receiver, entry.at))
      if (due.every((receiver) => entry.received.has(receiver))) reachAll.push(entry.slowestMs)
    }
    return percentileOf(reachAll, p)
  }
}

function percentileOf(values: readonly number[], p: number): number {
  if (values.length === 0) return 0
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)]!
}
