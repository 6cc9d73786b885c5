/** The observer's errors (defined with the others in src/errors.ts: the node raises it too). */
export { ObserverModeError } from '../errors.js'
