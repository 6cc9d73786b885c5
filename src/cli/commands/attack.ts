/**
 * `patternmesh attack <kind> --target <addr>`: one of the simulator's attackers against a real
 * mesh, to see what its members and observers make of it (security drills, the README's tour).
 * The attacker is a libp2p peer of its own that dials the targets and sends what an attacker
 * would, for `--duration` seconds or until Ctrl-C; it never stops sending because the mesh
 * scores it down (its own gossipsub thresholds are off).
 */
import { multiaddr } from '@multiformats/multiaddr'
import type { Command } from 'commander'
import { DEFAULT_CONFIG, mergeConfig } from '../../config/index.js'
import { UsageError } from '../../errors.js'
import { PatternGenerator, readNetworkKeyFile } from '../../pattern/index.js'
import { ATTACKER_LIBP2P, startAttack } from '../../sim/attackers/attackers.js'
import { ATTACKER_KINDS, type AttackerKind } from '../../sim/scenario-schema.js'
import { createSimNode } from '../../sim/sim-node.js'
import { sleep } from '../../util/abortable.js'
import type { CliContext } from '../context.js'
import { integerIn } from '../parse.js'

interface AttackOptions {
  target: string[]
  rate: number
  duration: number
  seed?: string
  keyFile?: string
  meshId: string
}

const DIAL_TIMEOUT_MS = 5000

export function registerAttack(program: Command, ctx: CliContext): void {
  program
    .command('attack')
    .description('run an attacker against a mesh (forger, tamperer, replayer, …) to test it')
    .argument('<kind>', `one of ${ATTACKER_KINDS.join(', ')}`)
    .requiredOption(
      '--target <multiaddr>',
      'a member to dial (repeatable)',
      (v: string, all: string[] = []) => [...all, v],
    )
    .option('--rate <n>', 'frames a second', integerIn(1, 10_000), 10)
    .option('--duration <s>', 'seconds to attack', integerIn(1, 86_400), 60)
    .option('--mesh-id <id>', "the mesh's id (its gossip topics)", DEFAULT_CONFIG.meshId)
    .option('--seed <seed>', "the mesh's seed (tamperer, replayer, step-manipulator know the key)")
    .option('--key-file <file>', "the mesh's key file (instead of --seed)")
    .addHelpText(
      'after',
      `
A forger and a malformed sender need no key; the others send frames under the mesh's key.

Examples:
  $ patternmesh attack forger --target /ip4/127.0.0.1/tcp/4301 --rate 5 --duration 120
  $ patternmesh attack replayer --target /ip4/10.0.0.5/tcp/4001 --key-file mesh.key`,
    )
    .action(async (kindText: string, opts: AttackOptions) => {
      const kind = attackerKind(kindText)
      const targets = opts.target.map((text) => {
        try {
          return multiaddr(text)
        } catch {
          throw new UsageError(`--target ${text}: not a multiaddr`)
        }
      })
      if (opts.seed !== undefined && opts.keyFile !== undefined)
        throw new UsageError('give either --seed or --key-file, not both')
      // With the mesh's key the attacker also reads the mesh's frames (a replayer needs them).
      const networkKey =
        opts.keyFile !== undefined ? await readNetworkKeyFile(opts.keyFile) : undefined
      const seed = opts.seed ?? `attacker-${process.pid}`
      const meshGenerator = new PatternGenerator(
        networkKey !== undefined ? { key: networkKey } : { seed },
      )
      const node = createSimNode({
        config: mergeConfig(DEFAULT_CONFIG, {
          meshId: opts.meshId,
          seed,
          listen: ['/ip4/0.0.0.0/tcp/0'],
          mdns: false,
          weight: 0,
        }),
        transport: 'tcp',
        membership: false,
        libp2p: ATTACKER_LIBP2P,
        ...(networkKey !== undefined ? { networkKey } : {}),
      })
      await node.start()
      const stopped = new AbortController()
      const onSignal = (): void => stopped.abort()
      process.once('SIGINT', onSignal)
      process.once('SIGTERM', onSignal)
      try {
        const dialed = await Promise.all(
          targets.map(async (addr) =>
            node.libp2p.dial(addr, { signal: AbortSignal.timeout(DIAL_TIMEOUT_MS) }).then(
              () => true,
              () => false,
            ),
          ),
        )
        if (!dialed.some(Boolean)) throw new Error('could not reach any --target')
        ctx.io.stdout.write(
          `attacking as ${node.peerId}: ${kind} at ${opts.rate}/s for ${opts.duration} s (Ctrl-C stops)\n`,
        )
        const stop = startAttack(kind, {
          node,
          meshGenerator,
          rate: opts.rate,
          durationMs: opts.duration * 1000,
        })
        await sleep(opts.duration * 1000, stopped.signal)
        stop()
        ctx.io.stdout.write(`attack over (${stopped.signal.aborted ? 'stopped' : 'duration'})\n`)
      } finally {
        process.off('SIGINT', onSignal)
        process.off('SIGTERM', onSignal)
        await node.stop()
      }
    })
}

function attackerKind(text: string): AttackerKind {
  if ((ATTACKER_KINDS as readonly string[]).includes(text)) return text as AttackerKind
  throw new UsageError(`unknown attacker "${text}" (one of ${ATTACKER_KINDS.join(', ')})`)
}
