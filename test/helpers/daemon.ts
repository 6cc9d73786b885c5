import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { DaemonProcess, type DaemonProcessOptions } from '../../src/process/daemon-process.js'

export { DaemonProcess }

/** Daemons of one test, in temp data dirs removed afterwards. */
export class DaemonFixture {
  readonly daemons: DaemonProcess[] = []
  private readonly dirs: string[] = []

  async daemon(
    args: string[],
    env: Record<string, string> = {},
    options: DaemonProcessOptions = {},
  ): Promise<DaemonProcess> {
    const dir = await mkdtemp(join(tmpdir(), 'pm-daemon-'))
    this.dirs.push(dir)
    const daemon = new DaemonProcess(join(dir, 'data'), args, env, options)
    this.daemons.push(daemon)
    return await daemon.start()
  }

  async cleanup(): Promise<void> {
    await Promise.all(this.daemons.splice(0).map(async (d) => await d.stop()))
    await Promise.all(
      this.dirs.splice(0).map(async (d) => await rm(d, { recursive: true, force: true })),
    )
  }
}
