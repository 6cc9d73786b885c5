import { UsageError } from '../errors.js'

/** A node's API base URL (`http://127.0.0.1:7070`), checked; `host:port` alone means http. */
export function parseApiUrl(text: string): URL {
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(text) ? text : `http://${text}`
  let url: URL
  try {
    url = new URL(withScheme)
  } catch {
    throw new UsageError(`url: not a URL: ${JSON.stringify(text)} (e.g. http://127.0.0.1:7070)`)
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new UsageError(`url: expected http:// or https://, got ${url.protocol}//`)
  url.pathname = url.pathname.replace(/\/+$/, '')
  url.search = ''
  url.hash = ''
  return url
}

/** `base` + `path`, keeping a base path (`http://host/mesh-a` + `/v1/status`). */
export function apiEndpoint(base: URL, path: string, websocket = false): string {
  const url = new URL(base.href)
  url.pathname = `${base.pathname.replace(/\/+$/, '')}${path}`
  if (websocket) url.protocol = base.protocol === 'https:' ? 'wss:' : 'ws:'
  return url.href
}
