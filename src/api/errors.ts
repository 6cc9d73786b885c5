/**
 * An HTTP error answer: status, a stable code, a message for the client, and headers
 * (`Allow`, `Retry-After`, `WWW-Authenticate`). Handlers throw it; the server writes it.
 */
export class ApiError extends Error {
  readonly status: number
  readonly code: string
  readonly headers: Readonly<Record<string, string>>

  constructor(status: number, code: string, message: string, headers: Record<string, string> = {}) {
    super(message)
    this.name = 'ApiError'
    this.status = status
    this.code = code
    this.headers = headers
  }
}

export const badRequest = (message: string): ApiError => new ApiError(400, 'BAD_REQUEST', message)

export const unauthorized = (): ApiError =>
  new ApiError(401, 'UNAUTHORIZED', 'a valid bearer token is required', {
    'WWW-Authenticate': 'Bearer realm="patternmesh"',
  })

export const forbidden = (): ApiError =>
  new ApiError(403, 'FORBIDDEN', 'this token is read-only: writes need the admin token (apiToken)')

export const notFound = (path: string): ApiError =>
  new ApiError(404, 'NOT_FOUND', `no route for ${path}`)

export const methodNotAllowed = (method: string, allow: readonly string[]): ApiError =>
  new ApiError(405, 'METHOD_NOT_ALLOWED', `${method} is not allowed here`, {
    Allow: allow.join(', '),
  })

export const payloadTooLarge = (message: string, headers: Record<string, string> = {}): ApiError =>
  new ApiError(413, 'PAYLOAD_TOO_LARGE', message, headers)

export const unsupportedMediaType = (): ApiError =>
  new ApiError(415, 'UNSUPPORTED_MEDIA_TYPE', 'the body must be application/json')

export const tooManyRequests = (retryAfterMs: number): ApiError =>
  new ApiError(429, 'RATE_LIMITED', 'too many writes; retry later', {
    'Retry-After': String(Math.max(1, Math.ceil(retryAfterMs / 1000))),
  })

export const notReady = (message = 'the node is not ready (starting or join sync)'): ApiError =>
  new ApiError(503, 'NOT_READY', message)

export const internalError = (): ApiError =>
  new ApiError(500, 'INTERNAL', 'internal error (logged on the node)')

/** The JSON body of every error answer. */
export function errorBody(error: ApiError): { error: { code: string; message: string } } {
  return { error: { code: error.code, message: error.message } }
}

/**
 * An error answer on a raw upgrade socket (before any WebSocket exists): a complete HTTP/1.1
 * response, then the socket is ended.
 */
export function rawErrorResponse(error: ApiError): string {
  const body = JSON.stringify({ error: { code: error.code, message: error.message } })
  const lines = [
    `HTTP/1.1 ${error.status} ${STATUS_TEXT[error.status] ?? 'Error'}`,
    'Connection: close',
    'Content-Type: application/json; charset=utf-8',
    `Content-Length: ${Buffer.byteLength(body)}`,
    ...Object.entries(error.headers).map(([name, value]) => `${name}: ${value}`),
  ]
  return `${lines.join('\r\n')}\r\n\r\n${body}`
}

const STATUS_TEXT: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  426: 'Upgrade Required',
  413: 'Payload Too Large',
  431: 'Request Header Fields Too Large',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
}
