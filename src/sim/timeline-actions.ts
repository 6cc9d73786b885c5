/**
 * What each timeline action means, once for both drivers: which member it names, what the
 * recorder marks, what the figures need (principal kills, life events, heals, attacks), and
 * the driver call that does it.
 */
import { launchAttack } from './attackers/launch.js'
import type { AdviceOutcome, SimulationDriver } from './driver.js'
import type { RunRecord } from './expectations.js'
import type { Recorder } from './recorder.js'
import { memberIndex, type NodeRef, type Scenario, type TimelineAction } from './scenario.js'
import { meshGenerator } from './sim-config.js'
import type { LifeEvent } from './timeline-state.js'

export interface TimelineActionsInit {
  scenario: Scenario
  driver: SimulationDriver
  recorder: Recorder
  /** Takes what must be stopped at the end of the run (an attack under way). */
  onStop: (stop: () => void) => void
}

export class TimelineActions {
  readonly life: LifeEvent[] = []
  readonly attacks: RunRecord['attacks'] = []
  /** Advice that could not be issued at all (the rest is collected from the driver). */
  readonly adviceFailures: AdviceOutcome[] = []
  private readonly init: TimelineActionsInit
  /** Killed members, last first: `restart "killed"` brings back the latest. */
  private readonly killed: number[] = []
  private readonly generator
  private attackerCount = 0

  constructor(init: TimelineActionsInit) {
    this.init = init
    this.generator = meshGenerator(init.scenario)
  }

  async apply(action: TimelineAction): Promise<void> {
    const { driver, recorder } = this.init
    switch (action.action) {
      case 'kill': {
        const node = this.resolve(action.node)
        if (node === undefined || !driver.isAlive(node)) return
        const { peerId, name } = driver.members()[node]!
        if (action.node === 'principal' || peerId === this.currentPrincipal())
          recorder.principalKills.push({ at: Date.now(), victim: peerId })
        recorder.mark('kill', `kill ${name}`)
        this.life.push({ at: Date.now(), node, alive: false })
        this.killed.push(node)
        await driver.kill(node)
        return
      }
      case 'restart': {
        const node = action.node === 'killed' ? this.killed.pop() : action.node
        if (node === undefined || driver.members()[node] === undefined || driver.isAlive(node))
          return
        recorder.mark('restart', `restart ${driver.members()[node]!.name}`)
        await driver.restart(node)
        this.life.push({ at: Date.now(), node, alive: true })
        await driver.rejoin(node)
        return
      }
      case 'partition': {
        recorder.mark('partition', `partition ${action.groups.map((g) => g.join(',')).join(' | ')}`)
        const count = this.init.scenario.nodes.count
        await driver.partition(action.groups.map((g) => g.map((ref) => memberIndex(ref, count))))
        return
      }
      case 'heal':
        recorder.mark('heal', 'heal')
        recorder.heals.push(Date.now())
        await driver.heal()
        return
      case 'weight': {
        const node = this.resolve(action.node)
        const name = node === undefined ? '?' : driver.members()[node]!.name
        recorder.mark('weight', `weight ${name} → ${action.weight}`)
        if (node !== undefined) driver.setWeight(node, action.weight)
        return
      }
      case 'advice':
        recorder.mark('advice', `advice ${action.type} → ${action.target.join(',')}`)
        await driver.issueAdvice(action).catch((err: unknown) => {
          this.adviceFailures.push({
            id: `${action.type}@${action.at}`,
            targets: 1,
            accepted: 0,
            rejected: 1,
            reasons: [(err as Error).message],
          })
        })
        return
      case 'attack': {
        const name = `attacker-${action.attacker}-${this.attackerCount++}`
        const handle = await driver.attacker(name)
        const live = driver.members().filter((m) => driver.isAlive(m.index)).length
        const stop = await launchAttack(handle, {
          kind: action.attacker,
          liveMembers: live,
          meshGenerator: this.generator,
          rate: action.rate ?? 5,
          durationMs: (action.duration ?? 3) * 1000,
          onStart: (peerId) => {
            recorder.mark('attack', `${action.attacker} ${peerId.slice(-6)}`)
            this.attacks.push({ kind: action.attacker, peerId, at: Date.now() })
          },
        })
        this.init.onStop(stop)
        return
      }
    }
  }

  /** The principal most live voters name. */
  currentPrincipal(): string | null {
    const { driver } = this.init
    const votes = new Map<string, number>()
    for (const m of driver.members()) {
      const p = !m.observer && driver.isAlive(m.index) ? driver.principalOf(m.index) : undefined
      if (p !== null && p !== undefined) votes.set(p, (votes.get(p) ?? 0) + 1)
    }
    return [...votes.entries()].sort((a, b) => b[1] - a[1])[0]?.[0] ?? null
  }

  private resolve(ref: NodeRef): number | undefined {
    const members = this.init.driver.members()
    if (ref !== 'principal') return members[ref] === undefined ? undefined : ref
    const principal = this.currentPrincipal()
    const index = members.findIndex((m) => m.peerId === principal)
    return index < 0 ? undefined : index
  }
}
