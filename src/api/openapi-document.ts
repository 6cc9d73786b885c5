import { buildApp } from './app.js'
import type { ApiContext } from './context.js'
import type { OpenApiDocument } from './openapi.js'

/**
 * The document of a server of this `version`, without a server: the app is built with a
 * context whose parts are never called (route handlers only run on requests).
 */
export async function buildOpenApiDocument(version: string): Promise<OpenApiDocument> {
  const app = await buildApp(
    { maxBodyBytes: 1, messagesBodyBytes: 1 } as unknown as ApiContext,
    version,
  )
  try {
    await app.ready()
    return app.swagger() as unknown as OpenApiDocument
  } finally {
    await app.close()
  }
}
