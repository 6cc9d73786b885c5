/**
 * One JSON call to a node's control API for the CLI's commands (advise, keys): the bearer
 * token, a deadline, and the API's `{ error: { code, message } }` turned into a clear error.
 */
import { UsageError } from '../errors.js'

/** The origin of an http(s) API URL, or a UsageError naming the argument. */
export function parseApiBase(url: string): string {
  try {
    const parsed = new URL(url)
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new Error('not http')
    return parsed.origin
  } catch {
    throw new UsageError(`<api-url> must be an http(s) URL, got "${url}"`)
  }
}

export interface ApiCallOptions {
  token?: string | undefined
  body?: unknown
  timeoutMs: number
  /** The command's own error for a failed call (exit 1); a 400 is a UsageError (exit 2). */
  failure: (message: string) => Error
}

export async function callApi(
  base: string,
  method: 'GET' | 'POST',
  path: string,
  options: ApiCallOptions,
): Promise<unknown> {
  const { token, body, failure } = options
  let response: Response
  try {
    response = await fetch(base + path, {
      method,
      headers: {
        ...(token !== undefined ? { authorization: `Bearer ${token}` } : {}),
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      signal: AbortSignal.timeout(options.timeoutMs),
    })
  } catch (err) {
    throw failure(`cannot reach ${base}: ${(err as Error).message}`)
  }
  const text = await response.text()
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch {
    json = undefined
  }
  if (!response.ok) {
    const error = (json as { error?: { code?: string; message?: string } } | undefined)?.error
    const message = `${response.status} ${error?.code ?? ''}: ${error?.message ?? text}`.trim()
    if (response.status === 400) throw new UsageError(`the node refused the request: ${message}`)
    throw failure(`the node answered ${message}`)
  }
  return json
}
