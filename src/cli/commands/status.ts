/** `patternmesh status <url>`: a node's status and its members as a table (or JSON). */
import type { Command } from 'commander'
import { apiEndpoint, parseApiUrl } from '../api-url.js'
import type { CliContext } from '../context.js'

interface StatusOptions {
  json?: boolean
}

interface StatusBody {
  peerId: string | null
  meshId: string
  step: number
  term: number
  principal: string | null
  roles: string[]
  observer: boolean
  connectedPeers: number
  members: { alive: number; suspect: number; dead: number }
  version: string
}

interface PeerRow {
  peerId: string
  status: string
  weight: number | null
  roles: string[]
  step: number | null
  lastSeen: number | null
  observer: boolean | null
}

export function registerStatus(program: Command, ctx: CliContext): void {
  program
    .command('status')
    .description("print a node's status and its members")
    .argument('<url>', "the node's control API, e.g. http://127.0.0.1:7070")
    .option('--json', 'print { status, peers, network } as JSON')
    .action(async (url: string, opts: StatusOptions) => {
      const base = parseApiUrl(url)
      const status = await getJson<StatusBody>(apiEndpoint(base, '/v1/status'))
      const { peers } = await getJson<{ peers: PeerRow[] }>(apiEndpoint(base, '/v1/peers'))
      const network = await getJson<Record<string, unknown>>(
        apiEndpoint(base, '/v1/metrics/network'),
      ).catch(() => null)
      if (opts.json === true) {
        ctx.io.stdout.write(`${JSON.stringify({ status, peers, network }, null, 2)}\n`)
        return
      }
      ctx.io.stdout.write(formatStatus(status, peers, network, Date.now()))
    })
}

async function getJson<T>(url: string): Promise<T> {
  let response: Response
  try {
    response = await fetch(url, { signal: AbortSignal.timeout(5000) })
  } catch (err) {
    const cause = (err as { cause?: { code?: string } }).cause?.code
    throw new Error(`cannot reach ${url}${cause !== undefined ? ` (${cause})` : ''}`)
  }
  if (!response.ok) throw new Error(`${url} answered ${response.status}`)
  return (await response.json()) as T
}

/** The text report. Pure (tested). */
export function formatStatus(
  status: StatusBody,
  peers: PeerRow[],
  network: Record<string, unknown> | null,
  now: number,
): string {
  const lines = [
    `node       ${status.peerId ?? '-'}${status.observer ? ' (observer)' : ''}`,
    `mesh       ${status.meshId}   version ${status.version}`,
    `step       ${status.step}`,
    `principal  ${status.principal ?? 'none'}   term ${status.term}`,
    `roles      ${status.roles.join(', ') || '-'}`,
    `members    ${status.members.alive} alive, ${status.members.suspect} suspect, ${status.members.dead} dead; ${status.connectedPeers} connected`,
  ]
  if (network !== null)
    lines.push(
      `network    ${String(network['messagesPerSecond'])} msg/s, latency ${String(network['averageLatency'] ?? '-')} ms, health ${String(network['networkHealth'])}`,
    )
  lines.push('')
  const header = ['PEER', 'STATUS', 'ROLE', 'WEIGHT', 'STEP', 'LAST SEEN']
  const rows = peers.map((peer) => [
    peer.peerId,
    peer.status,
    peer.observer === true
      ? 'observer'
      : peer.peerId === status.principal
        ? 'principal'
        : peer.roles.join(',') || 'member',
    peer.weight === null ? '-' : String(peer.weight),
    peer.step === null ? '-' : String(peer.step),
    peer.lastSeen === null ? '-' : `${Math.max(0, Math.round((now - peer.lastSeen) / 1000))} s ago`,
  ])
  if (rows.length === 0) lines.push('(no members)')
  else lines.push(...table([header, ...rows]))
  return `${lines.join('\n')}\n`
}

function table(rows: string[][]): string[] {
  const widths = rows[0]!.map((_, col) => Math.max(...rows.map((row) => row[col]!.length)))
  return rows.map((row) =>
    row
      .map((cell, col) => cell.padEnd(widths[col]!))
      .join('  ')
      .trimEnd(),
  )
}
