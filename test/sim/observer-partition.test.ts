/**
 * An observer named in a partition group is cut from the other side like a member; one in no
 * group still sees both sides. Real nodes over the memory transport (the in-process driver).
 */
import type { Libp2p } from '@libp2p/interface'
import { afterEach, describe, expect, it } from 'vitest'
import { InProcessDriver } from '../../src/sim/in-process/driver.js'
import { Recorder } from '../../src/sim/recorder.js'
import { parseScenario } from '../../src/sim/index.js'
import { TimelineActions } from '../../src/sim/timeline-actions.js'
import { until } from '../helpers/until.js'

let driver: InProcessDriver | undefined
afterEach(async () => {
  await driver?.stop()
  driver = undefined
})

describe('observers in partition groups (in-process)', () => {
  it('obs0 in a group is cut from the other side; obs1 in none bridges both', async () => {
    const scenario = parseScenario(
      {
        name: 'cut',
        duration: 10,
        nodes: { count: 3, observers: 2 },
        timeline: [
          {
            at: 1,
            action: 'partition',
            groups: [
              [0, 'obs0'],
              [1, 2],
            ],
          },
          { at: 2, action: 'heal' },
        ],
      },
      'test',
    )
    const mesh = new InProcessDriver(scenario)
    driver = mesh
    const recorder = new Recorder()
    const actions = new TimelineActions({ scenario, driver: mesh, recorder, onStop: () => {} })
    await mesh.start()
    const [n0, n1, n2, obs0, obs1] = [0, 1, 2, 3, 4]
    const libp2p = (i: number): Libp2p => mesh.members()[i]!.node!.libp2p
    const linked = (a: number, b: number): boolean =>
      libp2p(a)
        .getConnections()
        .some((c) => c.remotePeer.toString() === mesh.members()[b]!.peerId)
    await until(() => [n0, n1, n2].every((m) => linked(obs0, m) && linked(obs1, m)), {
      message: 'observers connected to every member',
    })

    await actions.apply(scenario.timeline[0]!)
    expect(recorder.marks.at(-1)?.label).toBe('partition 0,obs0 | 1,2')
    expect(mesh.reachable(obs0, n0)).toBe(true)
    expect(mesh.reachable(obs0, n1)).toBe(false)
    expect(mesh.reachable(obs1, n1)).toBe(true)
    await until(() => !linked(obs0, n1) && !linked(obs0, n2), {
      message: 'obs0 cut from n1 and n2',
    })
    expect(linked(obs0, n0)).toBe(true)
    expect(linked(obs1, n0) && linked(obs1, n1) && linked(obs1, n2)).toBe(true)
    // The gater refuses a new connection across the cut too.
    await expect(libp2p(obs0).dial(libp2p(n1).getMultiaddrs()[0]!)).rejects.toThrow()

    await actions.apply(scenario.timeline[1]!)
    await until(() => linked(obs0, n1) && linked(obs0, n2), {
      message: 'obs0 back with n1, n2',
    })
  })
})
