/**
 * SimulationRun over a scripted driver: the run's own logic (formation, traffic, the timeline's
 * meaning, settling, the record) without a mesh.
 */
import { describe, expect, it } from 'vitest'
import type { ObservationSink, SimMemberInfo, SimulationDriver } from '../../src/sim/driver.js'
import { ScenarioError, parseScenario } from '../../src/sim/index.js'
import { computeFigures } from '../../src/sim/expectations.js'
import { SimulationRun } from '../../src/sim/simulation-run.js'

class ScriptedDriver implements SimulationDriver {
  readonly mode = 'in-process'
  readonly actions: SimulationDriver['actions']
  readonly sampleIntervalMs = 50
  readonly measuresRss = false
  readonly calls: string[] = []
  readonly list: SimMemberInfo[]
  private readonly up = new Set<number>()
  private sink: ObservationSink | undefined
  private sent = 0
  stopped = false

  constructor(count: number, actions: SimulationDriver['actions']) {
    this.actions = actions
    this.list = Array.from({ length: count }, (_, i) => ({
      index: i,
      name: `n${i}`,
      peerId: `peer-${i}`,
      observer: false,
    }))
  }

  /** The heaviest live member: the lowest index. */
  private principal(): string | null {
    const first = [...this.up].sort((a, b) => a - b)[0]
    return first === undefined ? null : `peer-${first}`
  }

  async start(): Promise<void> {
    this.list.forEach((m) => this.up.add(m.index))
  }
  members(): readonly SimMemberInfo[] {
    return this.list
  }
  isAlive(node: number): boolean {
    return this.up.has(node)
  }
  isJoined(node: number): boolean {
    return this.up.has(node)
  }
  reachable(): boolean {
    return true
  }
  async connectionCounts(): Promise<number[]> {
    return this.members().map(() => 2)
  }

  async namedPrincipals(): Promise<Array<string | null>> {
    return [...this.up].map(() => this.principal())
  }
  principalOf(node: number): string | null | undefined {
    return this.up.has(node) ? this.principal() : undefined
  }
  observe(sink: ObservationSink): void {
    this.sink = sink
  }
  sample(): void {
    for (const node of this.up) this.sink?.step(node, 1)
  }
  async broadcast(node: number): Promise<string> {
    const id = `m${this.sent++}`
    // Delivered to every other live member a little later.
    setTimeout(() => {
      for (const r of this.up) if (r !== node) this.sink?.message(id, r, 1)
    }, 5)
    return id
  }
  /** Directed messages: to their target, and also to `strayTo` when set (a routing bug). */
  strayTo: number | undefined
  async send(node: number, to: string): Promise<{ id: string; to: string }> {
    const id = `d${this.sent++}`
    const target = to === 'role:principal' ? this.principal()! : to
    const index = Number(target.slice('peer-'.length))
    setTimeout(() => {
      this.sink?.message(id, index, 1)
      if (this.strayTo !== undefined) this.sink?.message(id, this.strayTo, 1)
    }, 1)
    void node
    return { id, to: target }
  }
  async kill(node: number): Promise<void> {
    this.calls.push(`kill ${node}`)
    this.up.delete(node)
  }
  async restart(node: number): Promise<void> {
    this.calls.push(`restart ${node}`)
    this.up.add(node)
  }
  async rejoin(node: number): Promise<void> {
    this.calls.push(`rejoin ${node}`)
  }
  async partition(groups: number[][]): Promise<void> {
    this.calls.push(`partition ${JSON.stringify(groups)}`)
  }
  async heal(): Promise<void> {
    this.calls.push('heal')
  }
  setWeight(node: number, weight: number): void {
    this.calls.push(`weight ${node} ${weight}`)
  }
  async issueAdvice(): Promise<void> {
    throw new Error('no advice here')
  }
  async attacker(): Promise<never> {
    throw new Error('no attackers here')
  }
  async collect(): Promise<[]> {
    return []
  }
  async stop(): Promise<void> {
    this.stopped = true
  }
}

const ALL = new Set(['kill', 'restart', 'partition', 'heal', 'weight', 'advice', 'attack'] as const)

describe('SimulationRun', () => {
  it('plays the timeline through the driver and records what the figures need', async () => {
    const scenario = parseScenario(
      {
        name: 'scripted',
        duration: 1.2,
        nodes: { count: 3, observers: 1 },
        traffic: { rate: 10, bytes: 16 },
        timeline: [
          { at: 0.1, action: 'kill', node: 'principal' },
          {
            at: 0.3,
            action: 'partition',
            groups: [
              [0, 'obs0'],
              [1, 2],
            ],
          },
          { at: 0.4, action: 'heal' },
          { at: 0.5, action: 'weight', node: 2, weight: 7 },
          { at: 0.6, action: 'restart', node: 'killed' },
          { at: 0.7, action: 'advice', type: 'CONFIG', target: ['*'], payload: {} },
        ],
      },
      'test',
    )
    const driver = new ScriptedDriver(4, ALL)
    driver.list[3]!.observer = true
    driver.list[3]!.name = 'obs0'
    const lines: string[] = []
    const record = await new SimulationRun(scenario, driver, {
      progress: (line) => lines.push(line),
    }).run()

    expect(driver.calls).toEqual([
      'kill 0',
      'partition [[0,3],[1,2]]',
      'heal',
      'weight 2 7',
      'restart 0',
      'rejoin 0',
    ])
    expect(driver.stopped).toBe(true)
    expect(record.recorder.principalKills).toEqual([{ at: expect.any(Number), victim: 'peer-0' }])
    expect(record.life.map(({ node, alive }) => [node, alive])).toEqual([
      [0, false],
      [0, true],
    ])
    expect(record.recorder.marks.map((m) => m.label)).toEqual([
      'kill n0',
      'partition 0,obs0 | 1,2',
      'heal',
      'weight n2 → 7',
      'restart n0',
      'advice CONFIG → *',
    ])
    expect(record.recorder.heals).toHaveLength(1)
    expect(record.advice).toEqual([
      expect.objectContaining({ id: 'CONFIG@0.7', rejected: 1, reasons: ['no advice here'] }),
    ])
    // Traffic from the three voters (not the observer), every message delivered after settling.
    expect(record.recorder.messagesSent()).toBeGreaterThan(10)
    expect(record.recorder.deliveryRatio()).toBe(1)
    expect(record.peakRssBytes).toBeUndefined()
    expect(lines.at(-1)).toMatch(/^\[scripted\] [\d.]+s {2}nodes 3\/3 {2}principal n0 {2}sent \d+/)
  })

  it('directed traffic (traffic.to): each message recorded at its one target, strays counted', async () => {
    const directed = (to: string) =>
      parseScenario(
        {
          name: 'directed',
          duration: 0.5,
          nodes: { count: 3 },
          traffic: { rate: 20, bytes: 16, to },
        },
        'test',
      )
    const driver = new ScriptedDriver(3, ALL)
    const record = await new SimulationRun(directed('n2'), driver).run()
    const figures = computeFigures(record)
    expect(figures.directed!.sent).toBeGreaterThan(10)
    // Node 2 sends to itself too: a directed message may go to its own sender.
    expect(figures.directed).toEqual({
      sent: figures.directed!.sent,
      delivered: figures.directed!.sent,
      failures: 0,
      misdelivered: 0,
      byReceiver: { n2: figures.directed!.sent },
    })
    expect(figures.deliveryRatio).toBe(1)
    expect(figures.duplicates).toBe(0)

    const stray = new ScriptedDriver(3, ALL)
    stray.strayTo = 1
    const strayRecord = await new SimulationRun(directed('role:principal'), stray).run()
    const strayFigures = computeFigures(strayRecord)
    expect(strayFigures.directed!.byReceiver).toEqual({ n0: strayFigures.directed!.sent })
    // Every message also reached n1, which was not its target (n0's own went to n0 and n1).
    expect(strayFigures.directed!.misdelivered).toBe(strayFigures.directed!.sent)
  })

  it('refuses a scenario with an action the driver cannot play, before starting', () => {
    const scenario = parseScenario(
      { name: 'p', duration: 5, nodes: { count: 3 }, timeline: [{ at: 1, action: 'heal' }] },
      'test',
    )
    const driver = new ScriptedDriver(3, new Set(['kill', 'restart', 'attack']))
    expect(() => new SimulationRun(scenario, driver)).toThrow(ScenarioError)
    expect(() => new SimulationRun(scenario, driver)).toThrow(
      'scenario p: timeline[0] "heal" needs in-process mode (drop --processes)',
    )
  })

  it('stops the driver when starting the members fails', async () => {
    const scenario = parseScenario({ name: 'broken', duration: 1, nodes: { count: 2 } }, 'test')
    const driver = new ScriptedDriver(2, ALL)
    driver.start = async () => {
      throw new Error('daemon n1 did not start')
    }
    await expect(new SimulationRun(scenario, driver).run()).rejects.toThrow(
      'daemon n1 did not start',
    )
    expect(driver.stopped).toBe(true)
  })
})
