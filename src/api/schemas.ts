/**
 * JSON Schemas shared by request validation (ajv) and the OpenAPI document, so the document
 * states exactly what the server checks.
 */
export const MESSAGE_REQUEST_SCHEMA = {
  type: 'object',
  description: 'A message to broadcast to the mesh.',
  required: ['data'],
  additionalProperties: false,
  properties: {
    data: {
      type: 'string',
      description: 'The payload: text, or base64 when `encoding` is `base64`.',
    },
    encoding: {
      type: 'string',
      enum: ['utf8', 'base64'],
      default: 'utf8',
      description: 'How `data` is encoded.',
    },
  },
} as const

export interface MessageRequest {
  data: string
  encoding?: 'utf8' | 'base64'
}
