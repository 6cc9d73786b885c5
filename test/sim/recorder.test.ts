import { describe, expect, it } from 'vitest'
import { Recorder } from '../../src/sim/recorder.js'

describe('Recorder', () => {
  it('counts deliveries, excusing receivers and senders killed right after the send', () => {
    const recorder = new Recorder()
    recorder.messageSent('a', [1, 2], 1000, 0)
    recorder.messageSent('b', [0, 2], 1000, 1)
    recorder.messageReceived('a', 1, 5)
    recorder.messageReceived('b', 2, 5)
    // Node 2 missed "a", node 0 missed "b": 2 of 4 delivered.
    expect(recorder.deliveryRatio()).toBe(0.5)
    // Node 2 killed right after: its miss of "a" is excused; node 1 (sender of "b") too.
    const killed = new Set([2, 1])
    expect(recorder.deliveryRatio((node) => killed.has(node))).toBe(1)
  })

  it('reach-all latency is the slowest receiver of each message that reached all', () => {
    const recorder = new Recorder()
    recorder.messageSent('a', [1, 2], 1000, 0)
    recorder.messageSent('b', [1, 2], 1000, 0)
    recorder.messageSent('c', [1, 2], 1000, 0)
    recorder.messageReceived('a', 1, 10)
    recorder.messageReceived('a', 2, 30)
    recorder.messageReceived('b', 1, 50)
    recorder.messageReceived('b', 2, 20)
    recorder.messageReceived('c', 1, 500) // never reaches 2: not a reach-all sample
    const none = (): boolean => false
    expect(recorder.reachAllPercentile(0.5, none)).toBe(30)
    expect(recorder.reachAllPercentile(0.99, none)).toBe(50)
    // With node 2 excused, "c" counts (500 ms).
    expect(recorder.reachAllPercentile(0.99, (node) => node === 2)).toBe(500)
  })

  it('a receipt told twice (event stream and message log) counts once, at the first time', () => {
    const recorder = new Recorder()
    recorder.messageSent('a', [1], 1000, 0)
    recorder.messageReceived('a', 1, undefined, 1040)
    recorder.messageReceived('a', 1, undefined, 1900)
    expect(recorder.latencies).toEqual([40])
    expect(
      recorder.eventualRatio(
        [1],
        () => false,
        () => 1040,
      ).received,
    ).toBe(1)
  })
})

describe('Recorder: deliveries still due', () => {
  it('counts expected receivers that have not had their message, except those gone', () => {
    const recorder = new Recorder()
    recorder.messageSent('a', [1, 2, 3], 1000, 0)
    recorder.messageReceived('a', 1, 5)
    expect(recorder.undelivered(() => false)).toBe(2)
    expect(recorder.undelivered((node) => node === 3)).toBe(1)
    recorder.messageReceived('a', 2, 5)
    expect(recorder.undelivered((node) => node === 3)).toBe(0)
  })
})
