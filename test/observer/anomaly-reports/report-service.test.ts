/**
 * AnomalyReportService on stub components: what it reports, how it folds, and what it makes of
 * reports from others (believed, FALSE_REPORT, malformed, rate-limited).
 */
import { TypedEventEmitter } from 'main-event'
import { afterEach, describe, expect, it } from 'vitest'
import type { ControlFrame, ControlHandler, ControlVerdict } from '../../../src/node/ports.js'
import { AnomalyReporter } from '../../../src/observer/index.js'
import {
  AnomalyReportService,
  decodeReport,
  encodeReport,
  evidenceOf,
  type ReportPayload,
} from '../../../src/observer/anomaly-reports/index.js'
import type { VerdictCode, VerifyResult } from '../../../src/protocol/index.js'
import { until } from '../../helpers/until.js'
import { signedMessage } from './signed-message.js'

const services: AnomalyReportService[] = []
afterEach(async () => {
  await Promise.all(services.splice(0).map(async (s) => await s.stop()))
})

async function setup(reverified: VerdictCode = 'PATTERN_MISMATCH') {
  const verdicts = new TypedEventEmitter<Record<string, CustomEvent>>()
  const sent: Uint8Array[] = []
  let handler: ControlHandler | undefined
  const sink = new AnomalyReporter({
    self: () => 'self',
    capacity: 100,
    maxPeers: 100,
    coalesceMs: 1000,
    onRecord: () => undefined,
  })
  const service = new AnomalyReportService(
    {
      identity: { peerId: 'self' },
      control: {
        sendControl: async (_kind, data) => {
          sent.push(data)
          return { id: '', step: 0, seq: 0 }
        },
        handleControl: (_kind, h) => {
          handler = h
        },
      },
      verdicts: verdicts as never,
      reverify: () => [
        { verdict: reverified === 'ACCEPTED' ? 'accept' : 'reject', code: reverified },
      ],
      sink,
      // A still clock: the intake bucket never refills while a test runs, however slowly.
      now: () => 1_000_000,
    },
    { windowMs: 60_000 },
  )
  services.push(service)
  await service.start()
  const reject = async (code: VerdictCode, data = 'bad'): Promise<void> => {
    const gossip = await signedMessage(Buffer.from(data))
    const result: VerifyResult = { verdict: 'reject', code }
    verdicts.safeDispatchEvent('verdict', {
      detail: { topic: gossip.topic, from: gossip.from.toString(), result, at: 0, gossip },
    })
  }
  const receive = (from: string, data: Uint8Array): ControlVerdict =>
    handler!({ from, envelope: { data, globalStep: 7 } } as unknown as ControlFrame)
  return { service, sink, sent, reject, receive }
}

async function report(over: Partial<ReportPayload> = {}): Promise<Uint8Array> {
  const evidence = evidenceOf(await signedMessage(Buffer.from('forged')))!
  return encodeReport({
    v: 1,
    kind: 'PATTERN_MISMATCH',
    offender: evidence.from,
    count: 4,
    firstAt: 1,
    lastAt: 2,
    evidence,
    ...over,
  })
}

describe('AnomalyReportService', () => {
  it('reports a first-hand rejection a message proves, with the message as evidence', async () => {
    const { sent, reject } = await setup()
    await reject('TAG_MISMATCH', 'tampered')
    await until(() => sent.length === 1)
    const decoded = decodeReport(sent[0]!)
    expect(decoded.ok && decoded.report).toMatchObject({ kind: 'TAG_MISMATCH', count: 1 })
    expect(decoded.ok && Buffer.from(decoded.report.evidence.data, 'base64').toString()).toBe(
      'tampered',
    )
  })

  it('does not report what one message cannot prove', async () => {
    const { service, sent, reject } = await setup()
    for (const code of ['STEP_SKEW', 'REPLAY', 'FLOOD'] as const) await reject(code)
    expect(sent).toEqual([])
    expect(service.stats().folder.offered).toBe(0)
  })

  it('believes a report whose evidence re-verifies, with the reporter as witness', async () => {
    const { service, sink, receive } = await setup('PATTERN_MISMATCH')
    const bytes = await report()
    const offender = (decodeReport(bytes) as { report: ReportPayload }).report.offender
    expect(receive('reporter', bytes)).toEqual({ verdict: 'accept' })
    await until(() => service.stats().believed === 1)
    expect(sink.list()).toEqual([
      expect.objectContaining({
        kind: 'PATTERN_MISMATCH',
        peerId: offender,
        count: 4,
        witnesses: ['reporter'],
        source: 'reported',
      }),
    ])
  })

  it('makes a report that does not re-verify a FALSE_REPORT against its reporter', async () => {
    const { service, sink, receive } = await setup('ACCEPTED')
    receive('liar', await report())
    await until(() => service.stats().falseReports === 1)
    expect(sink.list()).toHaveLength(1)
    expect(sink.list()[0]).toMatchObject({ kind: 'FALSE_REPORT', peerId: 'liar', source: 'local' })
    expect(sink.list()[0]!.detail).toMatch(/does not re-verify \(found ACCEPTED\)/)
  })

  it('makes a report whose signature fails a FALSE_REPORT, whatever re-verification says', async () => {
    const { service, sink, receive } = await setup('PATTERN_MISMATCH')
    const decoded = decodeReport(await report()) as { report: ReportPayload }
    const evidence = { ...decoded.report.evidence, data: Buffer.from('other').toString('base64') }
    receive('liar', encodeReport({ ...decoded.report, evidence }))
    await until(() => service.stats().falseReports === 1)
    expect(sink.list().map((a) => [a.kind, a.peerId])).toEqual([['FALSE_REPORT', 'liar']])
  })

  it('rejects a malformed report as MALFORMED and holds it against its reporter', async () => {
    const { sink, receive } = await setup()
    expect(receive('liar', Buffer.from('{"v":1}'))).toMatchObject({
      verdict: 'reject',
      code: 'MALFORMED',
    })
    expect(sink.list()[0]).toMatchObject({ kind: 'FALSE_REPORT', peerId: 'liar' })
  })

  it('takes at most its burst of reports from one reporter at once', async () => {
    const { service, receive } = await setup()
    const bytes = await report()
    const verdicts = Array.from({ length: 30 }, () => receive('chatty', bytes).verdict)
    expect(verdicts.filter((v) => v === 'ignore')).toHaveLength(10)
    expect(service.stats().ignored).toBe(verdicts.filter((v) => v === 'ignore').length)
  })

  it('ignores its own reports coming back', async () => {
    const { sink, receive } = await setup('ACCEPTED')
    expect(receive('self', await report())).toEqual({ verdict: 'accept' })
    expect(sink.list()).toEqual([])
  })
})
