/**
 * Real hosts on one machine: a network namespace per host, each with a veth to a Linux
 * bridge that lives in a namespace of its own, so nothing touches the machine's own network.
 * Host i has 10.213.0.(i+1)/24 on eth0, loopback up, and a multicast route for mDNS. A cable
 * cut is the bridge side of a host's veth going down. Needs root (CI runs as root).
 */
import { execFile, spawnSync } from 'node:child_process'
import { promisify } from 'node:util'
import type { ApiRequest } from '../../src/process/daemon-process.js'

const run = promisify(execFile)

/** Whether namespaces can be made here, and if not, why. */
export function probeRealHosts(): { ok: boolean; why: string } {
  if (process.platform !== 'linux') return { ok: false, why: 'not Linux' }
  const name = `pmprobe${process.pid}`
  const add = spawnSync('ip', ['netns', 'add', name], { encoding: 'utf8' })
  if (add.error !== undefined) return { ok: false, why: `no ip command (${add.error.message})` }
  if (add.status !== 0)
    return { ok: false, why: add.stderr.trim() || `ip netns add: ${add.status}` }
  spawnSync('ip', ['netns', 'del', name])
  return { ok: true, why: '' }
}

export class RealHosts {
  readonly hosts: string[] = []
  private readonly prefix: string
  private readonly bridgeNs: string

  constructor(prefix = `pm${process.pid % 100_000}`) {
    this.prefix = prefix
    this.bridgeNs = `${prefix}sw`
  }

  /** The address of host i (0-based) on the bridge. */
  address(i: number): string {
    return `10.213.0.${i + 1}`
  }

  async create(count: number): Promise<void> {
    await ip('netns', 'add', this.bridgeNs)
    await ip('-n', this.bridgeNs, 'link', 'add', 'br0', 'type', 'bridge')
    await ip('-n', this.bridgeNs, 'link', 'set', 'br0', 'up')
    for (let i = 0; i < count; i++) {
      const host = `${this.prefix}h${i + 1}`
      await ip('netns', 'add', host)
      this.hosts.push(host)
      const port = `v${i + 1}`
      await ip(
        'link',
        'add',
        port,
        'netns',
        this.bridgeNs,
        'type',
        'veth',
        'peer',
        'name',
        'eth0',
        'netns',
        host,
      )
      await ip('-n', this.bridgeNs, 'link', 'set', port, 'master', 'br0')
      await ip('-n', this.bridgeNs, 'link', 'set', port, 'up')
      await ip('-n', host, 'addr', 'add', `${this.address(i)}/24`, 'dev', 'eth0')
      await ip('-n', host, 'link', 'set', 'eth0', 'up', 'multicast', 'on')
      await ip('-n', host, 'link', 'set', 'lo', 'up')
      await ip('-n', host, 'route', 'add', '224.0.0.0/4', 'dev', 'eth0')
    }
  }

  /** Unplugs host i's cable at the bridge (a kernel-level partition of that host). */
  async cut(i: number): Promise<void> {
    await ip('-n', this.bridgeNs, 'link', 'set', `v${i + 1}`, 'down')
  }

  async mend(i: number): Promise<void> {
    await ip('-n', this.bridgeNs, 'link', 'set', `v${i + 1}`, 'up')
  }

  /** Runs a command inside host i: the prefix for DaemonProcess's launcher. */
  launcher(i: number): string[] {
    return ['ip', 'netns', 'exec', this.hosts[i]!]
  }

  /** Reaches an API that listens on host i's own loopback: a fetch run inside the host. */
  request(i: number): ApiRequest {
    return async (url, init) => {
      const script =
        'const [u, i] = process.argv.slice(1);' +
        'fetch(u, JSON.parse(i)).then(async (r) => process.stdout.write(JSON.stringify({ status: r.status, text: await r.text() })))' +
        '.catch((e) => { process.stderr.write(String(e)); process.exit(1) })'
      const { stdout } = await run(
        'ip',
        [
          'netns',
          'exec',
          this.hosts[i]!,
          process.execPath,
          '-e',
          script,
          url,
          JSON.stringify(init),
        ],
        { timeout: 10_000 },
      )
      return JSON.parse(stdout) as { status: number; text: string }
    }
  }

  /** Deletes every namespace it made (their veths go with them); never throws. */
  async cleanup(): Promise<void> {
    for (const ns of [...this.hosts.splice(0), this.bridgeNs]) {
      await ip('netns', 'del', ns).catch(() => undefined)
    }
  }
}

async function ip(...args: string[]): Promise<void> {
  await run('ip', args, { timeout: 10_000 })
}
