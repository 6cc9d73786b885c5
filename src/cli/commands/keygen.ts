/** `patternmesh keygen`: a new network key, 32 random bytes as hex (DESIGN §2). */
import { randomBytes } from 'node:crypto'
import type { Command } from 'commander'
import { UsageError } from '../../errors.js'
import { generatePskFile } from '../../net/index.js'
import { NETWORK_KEY_BYTES } from '../../pattern/index.js'
import type { CliContext } from '../context.js'
import { writeSecretFile } from '../secret-file.js'

interface KeygenOptions {
  out?: string
  force?: boolean
  psk?: boolean
}

export function generateNetworkKeyHex(): string {
  return randomBytes(NETWORK_KEY_BYTES).toString('hex')
}

export function registerKeygen(program: Command, ctx: CliContext): void {
  program
    .command('keygen')
    .description(
      `generate a network key (${NETWORK_KEY_BYTES} random bytes as hex) shared by the members of one mesh`,
    )
    .option('--out <file>', 'write the key to FILE (mode 0600) instead of printing it')
    .option('--force', 'replace FILE if it exists (atomically)')
    .option('--psk', 'write a libp2p private network key (pnet) instead, for --psk-file')
    .addHelpText(
      'after',
      `
Every member of a mesh needs the same key: copy the file over a secure channel.

Examples:
  $ patternmesh keygen --out mesh.key
  $ patternmesh keygen --psk --out swarm.psk
  $ patternmesh start --key-file mesh.key --psk-file swarm.psk`,
    )
    .action(async (opts: KeygenOptions) => {
      const text = opts.psk === true ? generatePskFile() : generateNetworkKeyHex() + '\n'
      const what = opts.psk === true ? 'private network key (pnet)' : 'network key'
      if (opts.out === undefined) {
        if (opts.force === true) throw new UsageError('--force only applies with --out FILE')
        ctx.io.stdout.write(text)
        return
      }
      if (opts.out.length === 0) throw new UsageError('--out needs a file name')
      await writeSecretFile(opts.out, text, { force: opts.force === true })
      ctx.io.stdout.write(`wrote a new ${what} to ${opts.out} (mode 0600)\n`)
    })
}
