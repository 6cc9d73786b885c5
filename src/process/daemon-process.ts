/**
 * A `patternmesh start` child process under control: its JSON log lines, its API, signals.
 * Tests, benchmarks and process-mode simulations run real daemons with it.
 */
import { spawn, type ChildProcessByStdio } from 'node:child_process'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import type { Readable } from 'node:stream'
import { WebSocket } from 'ws'
import { packageInfo } from '../util/package-root.js'

/** The built executable (dist/ must exist: `npm run build`). */
const BIN = join(packageInfo().root, 'bin', 'patternmesh.js')

/** An HTTP exchange with the daemon's API (a daemon in a network namespace needs its own). */
export type ApiRequest = (
  url: string,
  init: { method: string; headers: Record<string, string>; body?: string },
) => Promise<{ status: number; text: string }>

const fetchRequest: ApiRequest = async (url, init) => {
  const response = await fetch(url, init)
  return { status: response.status, text: await response.text() }
}

export interface DaemonProcessOptions {
  /** Runs the daemon through this command (e.g. `ip netns exec h1`); default: directly. */
  launcher?: string[]
  /** How to reach its API (default: fetch from this process). */
  request?: ApiRequest
}

export interface LogLine {
  level: number
  msg: string
  [key: string]: unknown
}

/** One `patternmesh start` child process, its JSON log lines, and its API. */
export class DaemonProcess {
  readonly logs: LogLine[] = []
  readonly stderr: string[] = []
  peerId = ''
  listen: string[] = []
  apiUrl = ''
  exitCode: number | null | undefined
  private child: ChildProcessByStdio<null, Readable, Readable> | undefined
  private exited: Promise<void> = Promise.resolve()

  constructor(
    readonly dataDir: string,
    readonly args: string[],
    /** Extra environment (PATTERNMESH_* config) on top of this process's; keep the log level at info or lower: the start-up lines are read from it. */
    readonly env: Record<string, string> = {},
    readonly options: DaemonProcessOptions = {},
  ) {}

  /** Starts the daemon and waits until its API listens. */
  async start(timeoutMs = 20_000): Promise<this> {
    this.logs.length = 0
    this.exitCode = undefined
    this.apiUrl = ''
    this.peerId = ''
    const launcher = this.options.launcher ?? []
    const command = [
      process.execPath,
      BIN,
      'start',
      '--data-dir',
      this.dataDir,
      '--api',
      '127.0.0.1:0',
      ...this.args,
    ]
    // mDNS stays off unless a test asks for it (`--mdns` is not a flag: pass PATTERNMESH_MDNS).
    if (this.env['PATTERNMESH_MDNS'] === undefined) command.splice(5, 0, '--no-mdns')
    const [program, ...args] = [...launcher, ...command]
    const child = spawn(program!, args, {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, PATTERNMESH_LOG_LEVEL: 'debug', ...this.env },
    })
    this.child = child
    this.exited = new Promise((resolve) =>
      child.once('exit', (code) => {
        this.exitCode = code
        resolve()
      }),
    )
    createInterface({ input: child.stdout }).on('line', (line) => {
      let parsed: LogLine
      try {
        parsed = JSON.parse(line) as LogLine
      } catch {
        return
      }
      this.logs.push(parsed)
      if (parsed.msg === 'patternmesh started') {
        this.peerId = String(parsed['peerId'])
        this.listen = parsed['listen'] as string[]
      }
      if (typeof parsed['url'] === 'string') this.apiUrl = parsed['url']
    })
    createInterface({ input: child.stderr }).on('line', (line) => this.stderr.push(line))
    const deadline = Date.now() + timeoutMs
    while (this.apiUrl === '' && this.exitCode === undefined && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 20))
    }
    if (this.exitCode !== undefined) {
      throw new Error(`daemon exited with ${this.exitCode}: ${this.stderr.join('\n')}`)
    }
    if (this.apiUrl === '') {
      await this.stop()
      throw new Error(`daemon API not up within ${timeoutMs} ms`)
    }
    return this
  }

  get pid(): number | undefined {
    return this.child?.pid
  }

  async token(): Promise<string> {
    return (await readFile(join(this.dataDir, 'api-token'), 'utf8')).trim()
  }

  async get<T>(path: string): Promise<T> {
    const request = this.options.request ?? fetchRequest
    const response = await request(this.apiUrl + path, { method: 'GET', headers: {} })
    return JSON.parse(response.text) as T
  }

  async post<T>(path: string, body: unknown): Promise<{ status: number; body: T }> {
    const request = this.options.request ?? fetchRequest
    const response = await request(this.apiUrl + path, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: `Bearer ${await this.token()}`,
      },
      body: JSON.stringify(body),
    })
    return { status: response.status, body: JSON.parse(response.text) as T }
  }

  /** Opens the event stream and collects its frames. */
  async events(
    types = 'message',
    onFrame?: (frame: Record<string, unknown>) => void,
  ): Promise<{ frames: Array<Record<string, unknown>>; close: () => void }> {
    const url = `${this.apiUrl.replace('http', 'ws')}/v1/events?types=${types}&token=${await this.token()}`
    const socket = new WebSocket(url)
    const frames: Array<Record<string, unknown>> = []
    socket.on('message', (data) => {
      const frame = JSON.parse(String(data)) as Record<string, unknown>
      // With a callback the frames go there (long runs); without, they are kept for the caller.
      if (onFrame !== undefined) onFrame(frame)
      else frames.push(frame)
    })
    await new Promise<void>((resolve, reject) => {
      socket.once('open', () => resolve())
      socket.once('error', reject)
    })
    return { frames, close: () => socket.close() }
  }

  async signal(signal: NodeJS.Signals, timeoutMs = 20_000): Promise<number | null | undefined> {
    if (this.child === undefined || this.exitCode !== undefined) return this.exitCode
    this.child.kill(signal)
    await Promise.race([this.exited, new Promise((resolve) => setTimeout(resolve, timeoutMs))])
    return this.exitCode
  }

  /** SIGTERM, and SIGKILL if it has not exited in time: tests never leave a process behind. */
  async stop(): Promise<number | null | undefined> {
    const code = await this.signal('SIGTERM')
    if (code === undefined) return await this.signal('SIGKILL')
    return code
  }
}
