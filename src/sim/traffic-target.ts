/**
 * `traffic.to` (issue 14): the scenario's traffic as directed messages. The forms of the API's
 * `to` (DESIGN §15) but a peer id, unknown before the run: a node by name (`n3`), or a route
 * the sender resolves (`role:principal`, `role:member`, `any`, `key:<k>`). Pure.
 */
import { InvalidTargetError, parseTarget } from '../direct/index.js'

export type TrafficTarget =
  /** A member by index: its peer id is filled in at send time. */
  | { kind: 'node'; index: number }
  /** Resolved by the sender, as `POST /v1/messages { to }` does. */
  | { kind: 'route'; to: string }

const FORMS = 'n<i> (a node), role:principal, role:member, any or key:<k>'

/** Parses `traffic.to` for a scenario of `count` nodes; throws with a sentence naming the value. */
export function parseTrafficTarget(to: string, count: number): TrafficTarget {
  const named = /^n(\d+)$/.exec(to)
  if (named !== null) {
    const index = Number(named[1])
    if (index >= count)
      throw new InvalidTargetError(
        `traffic.to ${JSON.stringify(to)}: there is no such node (nodes n0..n${count - 1})`,
      )
    return { kind: 'node', index }
  }
  const what = `traffic.to ${JSON.stringify(to)}`
  let kind: string
  try {
    kind = parseTarget(to).kind
  } catch (err) {
    // A role or key with a flaw: the API's sentence says which; anything else: the forms.
    if (!/^(role|key):/.test(to)) throw new InvalidTargetError(`${what} must be ${FORMS}`)
    const detail = err instanceof Error ? err.message.replace(/^to: /, '') : String(err)
    throw new InvalidTargetError(`${what}: ${detail}`)
  }
  if (kind === 'peer')
    throw new InvalidTargetError(
      `${what}: a peer id is not known before the run; name the node (${FORMS})`,
    )
  return { kind: 'route', to }
}
