/**
 * mDNS multicasts on every interface and cannot be told otherwise, so the nodes run in a
 * child process inside a fresh network namespace holding only loopback. Skipped, with the
 * reason printed, only where namespaces cannot be created.
 */
import { spawn, spawnSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'

const ROOT = fileURLToPath(new URL('../../', import.meta.url))
const SCRIPT = fileURLToPath(new URL('./fixtures/mdns-pair.ts', import.meta.url))
const DISCOVERY_TIMEOUT_MS = 15_000

/** `unshare -n` as root; `-rn` (user namespace too) otherwise. */
const UNSHARE_ARGS = process.getuid?.() === 0 ? ['-n'] : ['-rn']

function probeUnshare(): { ok: boolean; why: string } {
  const probe = spawnSync('unshare', [...UNSHARE_ARGS, 'true'], { encoding: 'utf8' })
  if (probe.error != null) return { ok: false, why: probe.error.message }
  if (probe.status !== 0) return { ok: false, why: probe.stderr.trim() || `exit ${probe.status}` }
  return { ok: true, why: '' }
}

const unshare = probeUnshare()
if (!unshare.ok) {
  console.warn(`mDNS test skipped: cannot create a network namespace (${unshare.why})`)
}

interface MdnsResult {
  connected: boolean
  ms: number
  error?: string
}

async function runInNamespace(): Promise<{ result: MdnsResult | undefined; output: string }> {
  const setup = 'ip link set lo up multicast on && ip route add 224.0.0.0/4 dev lo'
  const child = spawn(
    'unshare',
    [
      ...UNSHARE_ARGS,
      'sh',
      '-c',
      `${setup} && exec "$0" --import tsx "$1" "$2"`,
      process.execPath,
      SCRIPT,
      String(DISCOVERY_TIMEOUT_MS),
    ],
    { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
  )
  let output = ''
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()))
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()))
  // The script ends itself at DISCOVERY_TIMEOUT_MS; this only guards against a wedged child.
  const guard = setTimeout(() => child.kill('SIGKILL'), DISCOVERY_TIMEOUT_MS + 15_000)
  await new Promise<void>((resolve) => child.on('close', () => resolve()))
  clearTimeout(guard)
  const line = output.split('\n').find((text) => text.startsWith('MDNS_RESULT '))
  const result =
    line == null ? undefined : (JSON.parse(line.slice('MDNS_RESULT '.length)) as MdnsResult)
  return { result, output }
}

describe('mDNS discovery', () => {
  it.skipIf(!unshare.ok)(
    'two nodes on loopback in a private network namespace discover and connect to each other',
    async () => {
      const { result, output } = await runInNamespace()
      expect(result, `no result line from the child:\n${output}`).toBeDefined()
      expect(result, output).toMatchObject({ connected: true })
    },
    DISCOVERY_TIMEOUT_MS + 30_000,
  )
})
