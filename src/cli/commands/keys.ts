/**
 * `patternmesh keys <api-url> list | install <hex> | use <key-id> | remove <key-id>`: the
 * mesh's network keys through a node's control API (DESIGN §16). Each operation is done on that
 * node and pushed to every alive member; one line per member says whether it took there.
 * `install --key-file PATH` reads the key from a file (`patternmesh keygen`), so it is not in
 * the shell history or the process list.
 */
import type { Command } from 'commander'
import { PatternmeshError, UsageError } from '../../errors.js'
import { readNetworkKeyFile } from '../../pattern/index.js'
import { callApi, parseApiBase } from '../api-call.js'
import type { CliContext } from '../context.js'

interface KeysOptions {
  token?: string
  keyFile?: string
  json?: boolean
}

interface KeyOpAnswer {
  op: string
  id?: string
  keys?: Array<{ id: string; primary: boolean; members: number }>
  results?: Array<{ member: string; status: string; detail?: string }>
}

/** The API answered with an error (or not at all): exit 1. */
class KeysApiError extends PatternmeshError {
  constructor(message: string) {
    super('KEYS_API', message)
  }
}

const OPS = ['list', 'install', 'use', 'remove'] as const

export function registerKeys(program: Command, ctx: CliContext): void {
  program
    .command('keys')
    .description('list, install, use or remove the mesh’s network keys through a node’s API')
    .argument('<api-url>', 'the node’s API, e.g. http://127.0.0.1:7070')
    .argument('<op>', OPS.join(' | '))
    .argument('[key]', 'install: the key as hex; use, remove: a key id (from list)')
    .option('--key-file <path>', 'install: read the key from this file instead')
    .option('--token <token>', 'API bearer token (default: $PATTERNMESH_API_TOKEN)')
    .option('--json', 'print the API’s JSON answer')
    .addHelpText(
      'after',
      `
A rotation, with no message lost (receivers accept every installed key):
  $ patternmesh keygen --out new.key
  $ patternmesh keys http://127.0.0.1:7070 install --key-file new.key
  $ patternmesh keys http://127.0.0.1:7070 list
  $ patternmesh keys http://127.0.0.1:7070 use <new-id>
  $ patternmesh keys http://127.0.0.1:7070 remove <old-id>`,
    )
    .action(async (url: string, op: string, key: string | undefined, opts: KeysOptions) => {
      const base = parseApiBase(url)
      if (!(OPS as readonly string[]).includes(op))
        throw new UsageError(`<op> must be one of ${OPS.join(', ')}, got "${op}"`)
      let answer: KeyOpAnswer
      if (op === 'list') {
        answer = { op, ...((await call(base, 'GET', '/v1/keys')) as Pick<KeyOpAnswer, 'keys'>) }
      } else {
        const token = opts.token ?? process.env['PATTERNMESH_API_TOKEN']
        if (token === undefined || token === '')
          throw new UsageError('a token is needed: --token T or PATTERNMESH_API_TOKEN')
        const value = await keyArgument(op, key, opts.keyFile)
        answer = (await call(base, 'POST', '/v1/keys', token, { op, key: value })) as KeyOpAnswer
      }
      ctx.io.stdout.write(
        opts.json === true ? JSON.stringify(answer, null, 2) + '\n' : format(answer),
      )
    })
}

async function keyArgument(
  op: string,
  key: string | undefined,
  keyFile: string | undefined,
): Promise<string> {
  if (op === 'install') {
    if (keyFile !== undefined && key !== undefined)
      throw new UsageError('install takes the key as hex or --key-file, not both')
    if (keyFile !== undefined) {
      try {
        return (await readNetworkKeyFile(keyFile)).toString('hex')
      } catch (err) {
        throw new UsageError((err as Error).message)
      }
    }
    if (key === undefined) throw new UsageError('install needs the key: <hex> or --key-file PATH')
    return key.trim()
  }
  if (key === undefined || !/^[0-9a-f]{8}$/.test(key))
    throw new UsageError(`${op} needs a key id: 8 lowercase hex digits (see "keys <url> list")`)
  return key
}

/** `list`: one line per key; an operation: its line, then one line per member. */
export function format(answer: KeyOpAnswer): string {
  if (answer.keys !== undefined) {
    if (answer.keys.length === 0) return 'no keys\n'
    return (
      answer.keys
        .map((k) => `${k.id}  ${k.primary ? 'primary' : '       '}  on ${k.members} member(s)`)
        .join('\n') + '\n'
    )
  }
  const results = answer.results ?? []
  const ok = results.filter((r) => r.status === 'ok').length
  const lines = [`${answer.op} ${answer.id ?? ''}: done here, ${ok}/${results.length} member(s) ok`]
  for (const r of results)
    lines.push(`  ${r.member}  ${r.status}${r.detail !== undefined ? `  (${r.detail})` : ''}`)
  return lines.join('\n') + '\n'
}

/** A call to the node's API, failing with this command's error. */
async function call(
  base: string,
  method: 'GET' | 'POST',
  path: string,
  token?: string,
  body?: unknown,
): Promise<unknown> {
  return await callApi(base, method, path, {
    token,
    body,
    timeoutMs: 30_000,
    failure: (message) => new KeysApiError(message),
  })
}
