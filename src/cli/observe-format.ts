/**
 * Lines of `patternmesh observe`: one a event, coloured on a terminal. Pure (tested).
 */
const COLOURS = { red: 31, yellow: 33, green: 32, cyan: 36, grey: 90, bold: 1 } as const
type Colour = keyof typeof COLOURS

export function paint(text: string, colour: Colour, enabled: boolean): string {
  return enabled ? `\u001b[${COLOURS[colour]}m${text}\u001b[0m` : text
}

const SEVERITY_COLOUR: Record<string, Colour> = {
  critical: 'red',
  warning: 'yellow',
  info: 'cyan',
}

const STATUS_COLOUR: Record<string, Colour> = { alive: 'green', suspect: 'yellow', dead: 'red' }

function time(at: unknown): string {
  return typeof at === 'number' ? new Date(at).toISOString().slice(11, 23) : '--:--:--.---'
}

function text(value: unknown): string {
  return value === null || value === undefined ? '-' : String(value)
}

/** The human line of one event frame, or undefined for frames not shown (hello, step, …). */
export function formatEvent(frame: Record<string, unknown>, colour: boolean): string | undefined {
  const at = paint(time(frame['at']), 'grey', colour)
  switch (frame['type']) {
    case 'anomaly': {
      const severity = text(frame['severity'])
      const count =
        typeof frame['count'] === 'number' && frame['count'] > 1 ? ` ×${frame['count']}` : ''
      // Seen only by peers whose evidence held here (DESIGN §14): say who.
      const witnesses = Array.isArray(frame['witnesses']) ? frame['witnesses'].map(text) : []
      const reported =
        frame['source'] === 'reported' ? ` (reported by ${witnesses.join(', ') || '-'})` : ''
      return `${at} ${paint(severity.toUpperCase().padEnd(8), SEVERITY_COLOUR[severity] ?? 'bold', colour)} ${paint(text(frame['kind']), 'bold', colour)}${count} peer ${text(frame['peerId'])} step ${text(frame['step'])}${reported}: ${text(frame['detail'])}`
    }
    case 'member': {
      const change = text(frame['change'])
      const status = typeof frame['status'] === 'string' ? frame['status'] : undefined
      const what =
        status !== undefined
          ? `${change} → ${paint(status, STATUS_COLOUR[status] ?? 'bold', colour)}${frame['previous'] !== undefined ? ` (was ${text(frame['previous'])})` : ''}`
          : change
      return `${at} ${paint('MEMBER  ', 'cyan', colour)} ${text(frame['peerId'])} ${what}`
    }
    case 'role':
      return `${at} ${paint('ROLE    ', 'cyan', colour)} principal ${text(frame['principal'])} term ${text(frame['term'])} (was ${text(frame['previous'])})`
    case 'dropped':
      return `${at} ${paint('DROPPED ', 'yellow', colour)} ${text(frame['count'])} events missed (slow terminal)`
    default:
      return undefined
  }
}
