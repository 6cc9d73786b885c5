/**
 * What the server answers for an error thrown anywhere in a request: ApiErrors as they are,
 * schema validation failures as a 400 naming the field, Fastify's own client errors with
 * their status, anything else as a logged 500.
 */
import type { ErrorObject } from 'ajv'
import { ApiError, badRequest, internalError } from './errors.js'

const CODE_OF_STATUS: Record<number, string> = {
  400: 'BAD_REQUEST',
  404: 'NOT_FOUND',
  405: 'METHOD_NOT_ALLOWED',
  413: 'PAYLOAD_TOO_LARGE',
  415: 'UNSUPPORTED_MEDIA_TYPE',
  431: 'HEADERS_TOO_LARGE',
}

interface FrameworkError {
  statusCode?: number
  validation?: ErrorObject[]
}

/** The ApiError to answer; `internal` says whether it hides an unexpected failure (log it). */
export function toApiError(err: unknown): { error: ApiError; internal: boolean } {
  if (err instanceof ApiError) return { error: err, internal: false }
  const framework = (typeof err === 'object' && err !== null ? err : {}) as FrameworkError
  if (Array.isArray(framework.validation))
    return { error: badRequest(describe(framework.validation[0])), internal: false }
  const status = framework.statusCode
  const code = status === undefined ? undefined : CODE_OF_STATUS[status]
  if (code !== undefined && status !== undefined)
    return { error: new ApiError(status, code, (err as Error).message), internal: false }
  return { error: internalError(), internal: true }
}

/** The first validation error as "field: problem" (`body` for the body as a whole). */
export function describe(error: ErrorObject | undefined): string {
  if (error === undefined) return 'body: invalid'
  const field = error.instancePath.replace(/^\//, '').replace(/\//g, '.')
  switch (error.keyword) {
    case 'required':
      return `${prefix(field)}${String(error.params.missingProperty)}: is required`
    case 'additionalProperties':
      return `${prefix(field)}${String(error.params.additionalProperty)}: is not a known field`
    case 'enum':
      return `${field}: must be one of ${(error.params.allowedValues as unknown[]).join(', ')}`
    default:
      return `${field === '' ? 'body' : field}: ${error.message ?? 'is invalid'}`
  }
}

const prefix = (field: string): string => (field === '' ? '' : `${field}.`)
