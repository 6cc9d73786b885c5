import { buildOpenApiDocument } from '../openapi.js'
import type { Handler } from '../router.js'

/** `GET /openapi.json`. */
export const openapi = (version: string): Handler => {
  const document = buildOpenApiDocument(version)
  return () => ({ status: 200, json: document })
}
