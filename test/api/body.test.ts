import type { IncomingMessage } from 'node:http'
import { Readable } from 'node:stream'
import { describe, expect, it } from 'vitest'
import { isJsonContentType, readJsonBody } from '../../src/api/body.js'
import { ApiError } from '../../src/api/errors.js'

/** An endless request body that counts the bytes pulled from it. */
function endlessRequest(headers: Record<string, string>): {
  req: IncomingMessage
  pulled: () => number
} {
  let pulled = 0
  const stream = new Readable({
    read() {
      pulled += 1024
      this.push(Buffer.alloc(1024, 0x61))
    },
  })
  Object.assign(stream, { headers })
  return { req: stream as unknown as IncomingMessage, pulled: () => pulled }
}

function requestOf(body: string | Buffer, headers: Record<string, string>): IncomingMessage {
  const stream = Readable.from([Buffer.from(body)])
  Object.assign(stream, { headers })
  return stream as unknown as IncomingMessage
}

const JSON_TYPE = { 'content-type': 'application/json' }

describe('readJsonBody', () => {
  it('parses a JSON body within the limit', async () => {
    expect(await readJsonBody(requestOf('{"a":[1,"é"]}', JSON_TYPE), 100)).toEqual({ a: [1, 'é'] })
  })

  it('refuses a declared Content-Length over the limit before reading', async () => {
    const { req, pulled } = endlessRequest({ ...JSON_TYPE, 'content-length': '5000' })
    const error = await readJsonBody(req, 4096).catch((err: unknown) => err)
    expect(error).toBeInstanceOf(ApiError)
    expect(error).toMatchObject({ status: 413, headers: { Connection: 'close' } })
    expect(pulled()).toBe(0)
  })

  it('stops reading an endless body once it passes the limit, and pauses the stream', async () => {
    const { req, pulled } = endlessRequest(JSON_TYPE)
    const error = await readJsonBody(req, 10_000).catch((err: unknown) => err)
    expect(error).toMatchObject({ status: 413, code: 'PAYLOAD_TOO_LARGE' })
    const stream = req as unknown as Readable
    expect(stream.isPaused()).toBe(true)
    expect(stream.listenerCount('data')).toBe(0)
    const atRejection = pulled()
    // The limit, plus at most the stream's own read-ahead (16 KiB on Node 20, 64 KiB on 22)
    // and the chunk in flight: nothing like the endless rest.
    expect(atRejection).toBeLessThanOrEqual(10_000 + stream.readableHighWaterMark + 2 * 1024)
    // Paused: the stream only refills its own small buffer, nothing more is consumed.
    await new Promise((resolve) => setImmediate(resolve))
    expect(pulled()).toBeLessThanOrEqual(atRejection + stream.readableHighWaterMark + 1024)
  })

  it.each([
    ['not json', 400, /not valid JSON/],
    ['   ', 400, /empty/],
    [Buffer.from([0x22, 0xc3, 0x22]), 400, /UTF-8/],
  ])('refuses %j with %i', async (body, status, message) => {
    const error = await readJsonBody(requestOf(body, JSON_TYPE), 100).catch((err: unknown) => err)
    expect(error).toMatchObject({ status })
    expect((error as Error).message).toMatch(message)
  })

  it.each([
    ['application/json', true],
    ['application/json; charset=utf-8', true],
    ['application/json;charset="UTF-8"', true],
    ['APPLICATION/JSON', true],
    ['application/json; charset=iso-8859-1', false],
    ['application/jsonp', false],
    ['text/json', false],
    ['text/plain', false],
    [undefined, false],
  ])('content type %j is JSON: %s', (header, expected) => {
    expect(isJsonContentType(header)).toBe(expected)
  })

  it('refuses a non-JSON content type 415 without reading', async () => {
    const { req, pulled } = endlessRequest({ 'content-type': 'text/plain' })
    await expect(readJsonBody(req, 100)).rejects.toMatchObject({ status: 415 })
    expect(pulled()).toBe(0)
  })
})
