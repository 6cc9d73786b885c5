/**
 * MeshObserver on a stub node: what becomes an anomaly, who is blamed, folding of repeats,
 * FLOOD, STEP_DIVERGENCE, SPLIT_BRAIN and MEMBER_FLAPPING, and detaching on stop.
 */
import { TypedEventEmitter } from 'main-event'
import { describe, expect, it } from 'vitest'
import { DEFAULT_CONFIG, type MeshConfig } from '../../src/config/index.js'
import { MeshObserver, type MeshObserverComponents } from '../../src/observer/index.js'
import type { Envelope, VerifyResult } from '../../src/protocol/index.js'

function envelope(senderId: string, step = 100): Envelope {
  return {
    v: 1,
    kind: 'data',
    senderId,
    globalStep: step,
    seq: 1,
    patternValue: 0,
    timestamp: 990,
    data: new Uint8Array(0),
  }
}

function setup(
  init: { coalesceMs?: number; flood?: { ratePerSecond: number; burst: number } } = {},
  config: Partial<MeshConfig> = {},
) {
  let now = 1000
  const node = new TypedEventEmitter<Record<string, CustomEvent>>()
  const members = Object.assign(new TypedEventEmitter<Record<string, CustomEvent>>(), {
    members: () => [],
  })
  const roles = new TypedEventEmitter<Record<string, CustomEvent>>()
  const components = {
    identity: { peerId: 'self', step: 100 },
    liveConfig: { config: { ...DEFAULT_CONFIG, ...config } },
    verdicts: node,
    connections: { connectedPeers: () => [] },
    members,
    roles,
  } as unknown as MeshObserverComponents
  const observer = new MeshObserver(components, { now: () => now, ...init })
  void observer.start()
  const verdict = (from: string, result: VerifyResult): void => {
    node.safeDispatchEvent('verdict', { detail: { topic: 't', from, result, at: now } })
  }
  return {
    observer,
    verdict,
    members,
    roles,
    advance: (ms: number) => (now += ms),
  }
}

describe('MeshObserver', () => {
  it('reports rejections against the signer, never ignores or accepted frames', () => {
    const { observer, verdict } = setup()
    verdict('honest', { verdict: 'accept', code: 'ACCEPTED', envelope: envelope('honest') })
    verdict('honest', { verdict: 'ignore', code: 'STEP_SKEW', envelope: envelope('honest', 97) })
    verdict('honest', { verdict: 'ignore', code: 'SELF' })
    // A replayer republishes an honest peer's frame: blamed, not the honest author.
    verdict('replayer', {
      verdict: 'reject',
      code: 'REPLAY',
      envelope: envelope('honest'),
      detail: 'seq 1 seen before',
    })
    const anomalies = observer.anomalies()
    expect(anomalies).toHaveLength(1)
    expect(anomalies[0]).toMatchObject({
      kind: 'REPLAY',
      severity: 'critical',
      peerId: 'replayer',
      step: 100,
      at: 1000,
      count: 1,
    })
    expect(anomalies[0]!.detail).toContain('frame claims sender honest')
    expect(observer.appScore('honest')).toBe(0)
    expect(observer.appScore('replayer')).toBe(-3)
    const stats = observer.peerStats().find((s) => s.peerId === 'honest')
    expect(stats).toMatchObject({ lastStep: 100, latencyMs: 10, verdicts: { ACCEPTED: 1 } })
  })

  it('folds repeats of one kind from one peer within the window into the open record', () => {
    const { observer, verdict, advance } = setup({ coalesceMs: 1000 })
    const forged = { verdict: 'reject', code: 'PATTERN_MISMATCH' } as const
    for (let i = 0; i < 5; i++) verdict('forger', forged)
    // The record's count grows while its window is open (issue 12.6: it keeps growing).
    expect(observer.anomalies()).toHaveLength(1)
    expect(observer.anomalies()[0]).toMatchObject({
      count: 5,
      witnesses: ['self'],
      source: 'local',
    })
    advance(1000)
    verdict('forger', forged)
    expect(observer.anomalies().map((a) => a.count)).toEqual([1, 5])
    expect(observer.stats().totals).toEqual({ PATTERN_MISMATCH: 6 })
    // Every occurrence costs: 6 × 3 points.
    expect(observer.appScore('forger')).toBeCloseTo(-18, 1)
    expect(observer.networkMetrics().patternMismatches).toBe(6)
  })

  it('reports FLOOD once per episode', () => {
    const { observer, verdict } = setup({ flood: { ratePerSecond: 1, burst: 3 } })
    for (let i = 0; i < 10; i++)
      verdict('flooder', { verdict: 'accept', code: 'ACCEPTED', envelope: envelope('flooder') })
    expect(observer.anomalies({ kinds: new Set(['FLOOD']) })).toHaveLength(1)
    expect(observer.anomalies()[0]).toMatchObject({ peerId: 'flooder', severity: 'warning' })
  })

  it('takes the FLOOD policy from the config keys floodRatePerSecond and floodBurst', () => {
    const { observer, verdict } = setup({}, { floodRatePerSecond: 1, floodBurst: 2 })
    for (let i = 0; i < 3; i++)
      verdict('flooder', { verdict: 'accept', code: 'ACCEPTED', envelope: envelope('flooder') })
    expect(observer.anomalies()[0]).toMatchObject({ kind: 'FLOOD', peerId: 'flooder' })
    expect(observer.anomalies()[0]!.detail).toContain('more than 1 frames/s (burst 2)')
  })

  it('does not take a late heartbeat for a diverging step: its age explains its step', () => {
    const interval = 2000
    const { observer, members } = setup({}, { stepIntervalMs: interval })
    const ours = 100 // setup's identity.step
    const heartbeat = (peerId: string, step: number, ageMs: number): void => {
      const receivedAt = 1_000_000
      members.safeDispatchEvent('members.heartbeat', {
        detail: { peerId, step, receivedAt, sentAt: receivedAt - ageMs },
      })
    }
    heartbeat('late', ours - 12, 12 * interval + 500) // sent 12 steps ago, in step then
    heartbeat('lagging', ours - 12, 100) // sent just now, 12 steps behind
    heartbeat('ahead', ours + 12, 12 * interval) // no age makes a step ahead honest
    expect(
      observer
        .anomalies({ kinds: new Set(['STEP_DIVERGENCE']) })
        .map((a) => a.peerId)
        .sort(),
    ).toEqual(['ahead', 'lagging'])
  })

  it('reports STEP_DIVERGENCE, SPLIT_BRAIN and MEMBER_FLAPPING from the components', () => {
    const { observer, members, roles } = setup()
    const heartbeat = (peerId: string, step: number): void => {
      members.safeDispatchEvent('members.heartbeat', {
        detail: { peerId, step, receivedAt: 1000, sentAt: 1000 },
      })
    }
    heartbeat('near', 101) // honest lag
    heartbeat('liar', 100 + 1000)
    roles.safeDispatchEvent('roles.split-brain', {
      detail: { principals: ['p1', 'p2'], terms: [3, 3], winner: 'p1', overlapMs: 40 },
    })
    members.safeDispatchEvent('members.flapping', {
      detail: { peerId: 'flappy', changes: 5, windowMs: 10_000 },
    })
    const byKind = Object.fromEntries(observer.anomalies().map((a) => [a.kind, a]))
    expect(Object.keys(byKind).sort()).toEqual([
      'MEMBER_FLAPPING',
      'SPLIT_BRAIN',
      'STEP_DIVERGENCE',
    ])
    expect(byKind['STEP_DIVERGENCE']).toMatchObject({ peerId: 'liar', step: 1100 })
    expect(byKind['SPLIT_BRAIN']).toMatchObject({ peerId: null, severity: 'warning' })
    expect(byKind['SPLIT_BRAIN']!.detail).toContain('p1 remains')
    expect(byKind['MEMBER_FLAPPING']).toMatchObject({ peerId: 'flappy', severity: 'info' })
    expect(observer.appScore('p2')).toBe(0) // a split brain is nobody's attack
    expect(observer.networkMetrics().networkHealth).toBe(0.5)
  })

  it('listens no more after stop, and stop twice is harmless', async () => {
    const { observer, verdict } = setup()
    await observer.stop()
    await observer.stop()
    verdict('forger', { verdict: 'reject', code: 'TAG_MISMATCH' })
    expect(observer.anomalies()).toEqual([])
  })
})
