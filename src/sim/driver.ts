/**
 * What a simulation run needs from the mesh it plays: start the members, fault them, attack
 * them, and report what they see. `SimulationRun` holds the scenario's logic once; the
 * in-process driver (memory transport) and the process driver (daemons over TCP) implement this.
 */
import type { Multiaddr } from '@multiformats/multiaddr'
import type { RunRecord } from './expectations.js'
import type { Detection } from './recorder.js'
import type { TimelineAction } from './scenario.js'
import type { SimNode } from './sim-node.js'

export interface SimMemberInfo {
  index: number
  /** `n0`…, observers `obs0`…: as in the progress line and the report. */
  name: string
  /** Known once the member has started. */
  peerId: string
  observer: boolean
}

/** Where a driver reports what its members see; the run records it. */
export interface ObservationSink {
  step(node: number, step: number): void
  /** `at`: the member's own time of the change, when it says. */
  principal(node: number, principal: string | null, at?: number): void
  /** An honest message (broadcast or directed) delivered at `node` (`latencyMs` when the driver knows it). */
  message(id: string, node: number, latencyMs: number | undefined, at?: number): void
  detection(detection: Detection): void
}

export type AdviceAction = Extract<TimelineAction, { action: 'advice' }>
export type AdviceOutcome = RunRecord['advice'][number]

/** An attacker's node, started, and the members' addresses it should dial. */
export interface AttackerHandle {
  node: SimNode
  targets: Multiaddr[]
}

export interface SimulationDriver {
  readonly mode: 'in-process' | 'processes'
  /** Timeline actions it can play; the run refuses a scenario with others before starting. */
  readonly actions: ReadonlySet<TimelineAction['action']>
  /** How often the run samples steps and prints progress. */
  readonly sampleIntervalMs: number
  /** The mesh runs in this process: its peak RSS is a figure of the run. */
  readonly measuresRss: boolean

  /** Starts every member and connects them (the run then waits for one principal). */
  start(): Promise<void>
  members(): readonly SimMemberInfo[]
  /** Up: counts as alive for the figures. */
  isAlive(node: number): boolean
  /** Up and in the gossip mesh: may send, and is expected to receive. */
  isJoined(node: number): boolean
  /** No partition between the two. */
  reachable(a: number, b: number): boolean
  /** How many peers each live member is connected to now (peer manager figures). */
  connectionCounts(): Promise<number[]>
  /** The principal each live voter names now, asked afresh (formation). */
  namedPrincipals(): Promise<Array<string | null>>
  /**
   * When the last live voter began naming the principal it names now, as its event said
   * (in-process only): the moment the mesh formed, even if the run's polling ran late.
   */
  principalsNamedAt?(): number | undefined
  /** The principal `node` names, as last seen (undefined when down). */
  principalOf(node: number): string | null | undefined

  /** Starts reporting to `sink`, for the members of now and after restarts. */
  observe(sink: ObservationSink): void
  /** Called every `sampleIntervalMs`: reports each live member's step (and principal). */
  sample(): void
  /** An honest broadcast from `node`; resolves to its message id. */
  broadcast(node: number, payload: string): Promise<string>
  /**
   * An honest directed message from `node` (`to`: a peer id or a route, as the API's), once
   * acknowledged: its id and the peer id it went to.
   */
  send(node: number, to: string, payload: string): Promise<{ id: string; to: string }>

  kill(node: number): Promise<void>
  /** Starts a killed member again, until it is up. */
  restart(node: number): Promise<void>
  /** After `restart`: until it is back in the gossip mesh (5 s at most). */
  rejoin(node: number): Promise<void>
  partition(groups: number[][]): Promise<void>
  heal(): Promise<void>
  setWeight(node: number, weight: number): void
  /** Throws with the reason when the advice could not be issued. */
  issueAdvice(action: AdviceAction): Promise<void>
  /** A started attacker node of the mesh (stopped by `stop()`). */
  attacker(name: string): Promise<AttackerHandle>

  /** After the run: the observers' anomalies to `sink`, and each issued advice's results. */
  collect(sink: ObservationSink): Promise<AdviceOutcome[]>
  /** Stops everything it started; safe after a failed start. */
  stop(): Promise<void>
}
