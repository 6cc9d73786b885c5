import type { IncomingMessage } from 'node:http'
import { type ApiError, badRequest, payloadTooLarge, unsupportedMediaType } from './errors.js'

/** True for `application/json`, with or without parameters (`; charset=utf-8`). */
export function isJsonContentType(header: string | undefined): boolean {
  if (header === undefined) return false
  const [type, ...params] = header.split(';').map((part) => part.trim().toLowerCase())
  if (type !== 'application/json') return false
  const charset = params.find((param) => param.startsWith('charset='))
  return charset === undefined || /^charset="?utf-8"?$/.test(charset)
}

/**
 * Reads and parses a JSON request body of at most `maxBytes`. A declared `Content-Length`
 * over the limit is refused before a byte is read; a longer stream is cut as soon as it
 * passes the limit, without buffering the rest (the 413 answer then closes the connection).
 */
export async function readJsonBody(req: IncomingMessage, maxBytes: number): Promise<unknown> {
  if (!isJsonContentType(req.headers['content-type'])) throw unsupportedMediaType()
  // The rest of the body is never read, so the connection cannot be reused.
  const tooLarge = (): ApiError =>
    payloadTooLarge(`the body is larger than ${maxBytes} bytes`, { Connection: 'close' })
  const declared = req.headers['content-length']
  if (declared !== undefined && Number(declared) > maxBytes) throw tooLarge()

  const bytes = await new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = []
    let size = 0
    const cleanup = (): void => {
      req.off('data', onData)
      req.off('end', onEnd)
      req.off('error', onError)
      req.off('aborted', onAborted)
    }
    const onData = (chunk: Buffer): void => {
      size += chunk.length
      if (size > maxBytes) {
        cleanup()
        chunks.length = 0
        req.pause()
        reject(tooLarge())
        return
      }
      chunks.push(chunk)
    }
    const onEnd = (): void => {
      cleanup()
      resolve(Buffer.concat(chunks, size))
    }
    const onError = (err: Error): void => {
      cleanup()
      reject(err)
    }
    const onAborted = (): void => onError(new Error('request aborted'))
    req.on('data', onData)
    req.on('end', onEnd)
    req.on('error', onError)
    req.on('aborted', onAborted)
  })

  let text: string
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes)
  } catch {
    throw badRequest('the body is not valid UTF-8')
  }
  if (text.trim().length === 0) throw badRequest('the body is empty; a JSON object is expected')
  try {
    return JSON.parse(text) as unknown
  } catch (err) {
    throw badRequest(`the body is not valid JSON (${(err as Error).message})`)
  }
}
