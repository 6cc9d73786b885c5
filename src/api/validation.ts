import { Ajv } from 'ajv'
import type { FastifySchemaCompiler } from 'fastify'

/** Bodies are taken as sent: no type coercion, no defaults, unknown fields refused. */
const bodies = new Ajv({ allErrors: false, strict: true, allowUnionTypes: true })
/** Query strings are text: `limit=5` is the integer 5, `kind=a` a list of one, defaults fill in. */
const queries = new Ajv({
  allErrors: false,
  strict: true,
  allowUnionTypes: true,
  coerceTypes: 'array',
  useDefaults: true,
})

/** Fastify's validator compiler for the route schemas. */
export const compileValidator: FastifySchemaCompiler<object> = ({ schema, httpPart }) =>
  (httpPart === 'querystring' ? queries : bodies).compile(schema)
