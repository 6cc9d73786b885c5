import { ServerResponse, type IncomingMessage } from 'node:http'
import type { Socket } from 'node:net'
import type { Duplex } from 'node:stream'
import type { FastifyInstance } from 'fastify'
import { ApiError, rawErrorResponse } from './errors.js'

/**
 * An upgrade request that is not a WebSocket (e.g. `Upgrade: h2c` from curl --http2) to a
 * plain route: answered as the plain request it also is, on a connection that then closes.
 */
export function serveUpgradeAsHttp(
  app: FastifyInstance,
  req: IncomingMessage,
  socket: Duplex,
): void {
  socket.on('error', () => socket.destroy())
  const res = new ServerResponse(req)
  res.shouldKeepAlive = false
  res.assignSocket(socket as Socket)
  res.once('finish', () => {
    res.detachSocket(socket as Socket)
    socket.end()
  })
  app.routing(req, res)
}

/** Malformed HTTP: a JSON 400 (431 for oversized headers) when the socket can still take it. */
export function onClientError(err: Error & { code?: string }, socket: Duplex): void {
  if (err.code === 'ECONNRESET' || !socket.writable) {
    socket.destroy()
    return
  }
  const error =
    err.code === 'HPE_HEADER_OVERFLOW'
      ? new ApiError(431, 'HEADERS_TOO_LARGE', 'request headers too large')
      : new ApiError(400, 'BAD_REQUEST', 'malformed HTTP request')
  socket.end(rawErrorResponse(error))
}
