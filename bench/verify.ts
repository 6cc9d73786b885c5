/**
 * Receive-path cost against its floor: a full verifyFrame (decode, pattern, tag, step window,
 * replay guard) should run at ≥ 0.5× the rate of the bare HMAC-SHA256 it has to compute anyway
 * (DESIGN §2-3, codec.ts). The three are measured side by side, round-robin, so that a noisy
 * neighbour hits all of them alike.
 */
import { createHmac, createSecretKey, randomBytes } from 'node:crypto'
import { PatternGenerator } from '../src/pattern/index.js'
import {
  ReplayGuard,
  sealEnvelope,
  verifyFrame,
  type EnvelopeFields,
  type VerifyContext,
} from '../src/protocol/index.js'
import {
  formatOps,
  median,
  opsPerSecond,
  table,
  type BenchContext,
  type BenchModule,
} from './harness.js'

const BUDGET_MS = 1500
const WARMUP_MS = 300
const REPEATS = 3
const DATA_BYTES = 200
const TARGET_RATIO = 0.5
const LOCAL_STEP = 1_000_000
/** Frames sealed up front: SENDERS × SEQS_PER_SENDER, replayed with a fresh guard on each pass. */
const SENDERS = 8
const SEQS_PER_SENDER = 1024
/** Realistic peer id strings (52 characters, as Ed25519 peer ids print). */
const senderId = (i: number): string =>
  `12D3KooWBenchSender${String(i).padStart(3, '0')}`.padEnd(52, 'x')

interface Case {
  name: string
  op: (i: number) => void
  samples: number[]
}

export const verifyBench: BenchModule = {
  name: 'verify',
  title: `verifyFrame vs raw HMAC-SHA256 (${DATA_BYTES}-byte data, ${REPEATS} × ${BUDGET_MS / 1000} s each, median)`,
  async run(ctx: BenchContext) {
    const networkKey = randomBytes(32)
    const sender = new PatternGenerator({ key: networkKey })
    const data = randomBytes(DATA_BYTES)

    // 1. Raw HMAC-SHA256 over 200 bytes with a cached KeyObject: the floor.
    const hmacKey = createSecretKey(randomBytes(32))
    const hmacBody = randomBytes(DATA_BYTES)
    const hmac = (): void => {
      createHmac('sha256', hmacKey).update(hmacBody).digest()
    }

    // 2. sealEnvelope: encode + tag of one data envelope.
    const sealFields: EnvelopeFields = {
      kind: 'data',
      senderId: senderId(0),
      globalStep: LOCAL_STEP,
      seq: 0,
      timestamp: Date.now(),
      data,
    }
    const seal = (i: number): void => {
      sealFields.seq = i
      sealEnvelope(sender, sealFields)
    }

    // 3. verifyFrame of pre-sealed frames: fresh seqs, steps within the window.
    const pool: Buffer[] = []
    for (let seq = 0; seq < SEQS_PER_SENDER; seq++) {
      for (let s = 0; s < SENDERS; s++) {
        const globalStep = LOCAL_STEP - 2 + (pool.length % 5)
        pool.push(sealEnvelope(sender, { ...sealFields, senderId: senderId(s), globalStep, seq }))
      }
    }
    const frameBytes = pool[0]!.length
    const receiver: VerifyContext = {
      generator: new PatternGenerator({ key: networkKey }),
      replayGuard: new ReplayGuard(),
      localStep: LOCAL_STEP,
    }
    let rejected = 0
    const verify = (i: number): void => {
      const at = i % pool.length
      // Each pass over the pool replays it: a new guard keeps every frame fresh.
      if (at === 0) receiver.replayGuard = new ReplayGuard()
      if (verifyFrame(pool[at]!, receiver).code !== 'ACCEPTED') rejected++
    }

    const cases: Case[] = [
      { name: `HMAC-SHA256 ${DATA_BYTES} B, cached KeyObject`, op: hmac, samples: [] },
      { name: `sealEnvelope (encode + tag, ${frameBytes} B frame)`, op: seal, samples: [] },
      { name: `verifyFrame (full check, ${frameBytes} B frame)`, op: verify, samples: [] },
    ]
    ctx.log(
      `frames: ${DATA_BYTES} B data, ${frameBytes} B on the wire; ${pool.length} pre-sealed frames from ${SENDERS} senders`,
    )
    for (const c of cases) opsPerSecond(WARMUP_MS, c.op)
    for (let rep = 0; rep < REPEATS; rep++) {
      for (const c of cases) {
        ctx.gc()
        c.samples.push(opsPerSecond(BUDGET_MS, c.op))
      }
    }
    if (rejected > 0)
      throw new Error(`verifyFrame rejected ${rejected} honest frames: the bench is broken`)

    const medians = cases.map((c) => median(c.samples))
    const rows = cases.map((c, i) => [
      c.name,
      ...c.samples.map(formatOps),
      formatOps(medians[i]!),
      (1e6 / medians[i]!).toFixed(2),
    ])
    for (const line of table(
      ['case', ...cases[0]!.samples.map((_, i) => `run ${i + 1}`), 'median ops/s', 'µs/op'],
      rows,
    )) {
      ctx.log(line)
    }
    const ratio = medians[2]! / medians[0]!
    const passed = ratio >= TARGET_RATIO
    ctx.log()
    ctx.log(
      `verify / HMAC = ${ratio.toFixed(2)}   target ≥ ${TARGET_RATIO}   ${passed ? 'PASS' : 'FAIL'}`,
    )
    return [
      {
        name: 'verifyFrame / raw HMAC',
        target: `≥ ${TARGET_RATIO}`,
        actual: ratio.toFixed(2),
        passed,
      },
    ]
  },
}
